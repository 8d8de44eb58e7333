"""Article records for store and pipeline tests (Vietnamese text, as the portal prints it)."""

from __future__ import annotations

from typing import Any

BODY = (
    "Sáng 22/1, tại Hà Nội, Đại hội đại biểu toàn quốc lần thứ XIII của Đảng tiếp tục"
    " phiên làm việc. Các đại biểu thảo luận về văn kiện trình đại hội và tình hình"
    " kinh tế xã hội của tỉnh Hải Dương trong nhiệm kỳ vừa qua.\n\n"
    "Đồng chí Bí thư Tỉnh ủy phát biểu nhấn mạnh yêu cầu phát triển công nghiệp, nông"
    " nghiệp công nghệ cao, xây dựng nông thôn mới và chăm lo đời sống người dân trên"
    " địa bàn toàn tỉnh trong giai đoạn 2020 đến 2025."
)


def article(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """A complete record as the spider yields it; ``n`` varies URL and source_id."""
    record: dict[str, Any] = {
        "url": f"https://baohaiduong.vn/chinh-tri/bai-viet-so-{n}-1501{n:02d}",
        "source_id": f"1501{n:02d}",
        "site": "baohaiduong",
        "section": "Chính trị",
        "title": f"Phát hành số đặc biệt chào mừng Đại hội Đảng bộ tỉnh (bài {n})",
        "published_at": "2021-01-22T17:11:16+07:00",
        "lead": "Báo Hải Dương phát hành số đặc biệt chào mừng Đại hội.",
        "body": BODY,
        "author": "THÀNH CHUNG",
        "images": [
            {"url": "https://media.baohaiduong.vn/files/a.jpg", "caption": "Ảnh: Thành Chung"}
        ],
        "related": [{"url": "https://baohaiduong.vn/xa-hoi/tin-lien-quan-150001", "title": "Tin"}],
        "tags": ["Đại hội Đảng", "Hải Dương"],
        "language": "vi",
        "provenance": {
            "title": "layout:legacy",
            "body": "layout:legacy",
            "author": "layout:legacy",
        },
        "_raw_html": f"<html><body><h1>bài {n}</h1><div class='fck'>{BODY}</div></body></html>".encode(),
        "_fetched_url": f"https://m.baohaiduong.vn/chinh-tri/bai-viet-so-{n}-1501{n:02d}",
        "_fetched_at": "2021-01-22T11:00:00+00:00",
    }
    record.update(overrides)
    return record


#: A wire story (state statistics release) that several outlets republish near-verbatim.
WIRE = (
    "Theo Tổng cục Thống kê, tổng sản phẩm trong nước quý I tăng 5,66% so với cùng kỳ năm"
    " trước, cao hơn tốc độ tăng của quý I các năm giai đoạn 2020 đến 2023. Khu vực công"
    " nghiệp và xây dựng tăng 6,28%, khu vực dịch vụ tăng 6,12%, nông lâm nghiệp và thủy sản"
    " tăng 2,98%. Vốn đầu tư thực hiện toàn xã hội tăng 6,3%, xuất khẩu hàng hóa tăng 17%,"
    " chỉ số giá tiêu dùng bình quân tăng 3,77% so với cùng kỳ năm trước."
)


def wire(
    n: int,
    published_at: str,
    body: str = WIRE,
    title: str = "Kinh tế quý I tăng trưởng khả quan",
) -> dict[str, Any]:
    """Article ``n`` carrying the wire story (near-duplicates of each other)."""
    return article(n, title=title, body=body, published_at=published_at)
