"""Vietnamese vocabulary the replica builds its fake news from.

Real words and phrases of a provincial newspaper (organisations of Hải Dương, its
districts, what they do, people's names), written for this project, so generated
pages carry the diacritics, capitalisation and punctuation a parser meets on the
portal. Everything is stored in Unicode NFC.
"""

from __future__ import annotations

import unicodedata


def _nfc(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(unicodedata.normalize("NFC", s) for s in items)


#: Who does things (sentence subjects), organisations and places of the province.
SUBJECTS: tuple[str, ...] = _nfc(
    (
        "UBND tỉnh",
        "Tỉnh ủy Hải Dương",
        "Ban Thường vụ Tỉnh ủy",
        "HĐND tỉnh",
        "Ủy ban MTTQ tỉnh",
        "Sở Giáo dục và Đào tạo",
        "Sở Y tế",
        "Sở Nông nghiệp và Phát triển nông thôn",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Sở Tài nguyên và Môi trường",
        "Sở Khoa học và Công nghệ",
        "Sở Công Thương",
        "Công an tỉnh",
        "Bộ Chỉ huy Quân sự tỉnh",
        "Hội Nông dân tỉnh",
        "Hội Liên hiệp Phụ nữ tỉnh",
        "Tỉnh đoàn",
        "Liên đoàn Lao động tỉnh",
        "Bảo hiểm xã hội tỉnh",
        "Cục Thuế tỉnh",
        "Ngân hàng Chính sách xã hội tỉnh",
        "Bệnh viện Đa khoa tỉnh",
        "Trường Đại học Hải Dương",
        "Thành phố Hải Dương",
        "Thành phố Chí Linh",
        "Thị xã Kinh Môn",
        "Huyện Gia Lộc",
        "Huyện Thanh Hà",
        "Huyện Nam Sách",
        "Huyện Cẩm Giàng",
        "Huyện Bình Giang",
        "Huyện Tứ Kỳ",
        "Huyện Ninh Giang",
        "Huyện Thanh Miện",
        "Huyện Kim Thành",
    )
)

#: What they do (verbs and verb phrases).
VERBS: tuple[str, ...] = _nfc(
    (
        "tổ chức",
        "triển khai",
        "kiểm tra",
        "hỗ trợ",
        "đẩy mạnh",
        "tăng cường",
        "hoàn thành",
        "phát động",
        "tổng kết",
        "khởi công",
        "khánh thành",
        "ra quân",
        "đánh giá",
        "tập huấn về",
        "ký kết",
        "phê duyệt",
        "thông qua",
        "chỉ đạo",
        "rà soát",
        "sơ kết",
    )
)

#: What is done, by section slug (noun phrases, lower case).
TOPICS: dict[str, tuple[str, ...]] = {
    "chinh-tri": _nfc(
        (
            "hội nghị Ban Chấp hành Đảng bộ",
            "công tác xây dựng Đảng",
            "kỳ họp HĐND tỉnh",
            "công tác cán bộ",
            "chương trình giám sát",
            "công tác tiếp công dân",
            "nghị quyết đại hội",
            "công tác dân vận",
        )
    ),
    "goc-nhin": _nfc(
        (
            "cải cách thủ tục hành chính",
            "trách nhiệm người đứng đầu",
            "văn hóa công sở",
            "chống lãng phí",
            "chuyển đổi số",
        )
    ),
    "kinh-te": _nfc(
        (
            "vụ thu hoạch vải thiều",
            "dự án khu công nghiệp",
            "chương trình xúc tiến thương mại",
            "mô hình trồng rau an toàn",
            "kế hoạch thu ngân sách",
            "sản xuất vụ chiêm xuân",
            "hợp tác xã nông nghiệp",
            "chương trình mỗi xã một sản phẩm",
            "thị trường bất động sản",
        )
    ),
    "xa-hoi": _nfc(
        (
            "chương trình xây dựng nông thôn mới",
            "công tác giảm nghèo",
            "quà Tết cho hộ nghèo",
            "phòng chống dịch bệnh",
            "công tác an toàn giao thông",
            "tiêm chủng mở rộng",
            "bảo hiểm y tế toàn dân",
            "nhà ở cho người có công",
        )
    ),
    "khoa-hoc---giao-duc": _nfc(
        (
            "kỳ thi tuyển sinh lớp 10",
            "chương trình giáo dục phổ thông mới",
            "thư viện trường học",
            "ứng dụng chuyển đổi số",
            "kỳ thi học sinh giỏi",
            "sáng kiến khoa học",
            "phong trào học tập suốt đời",
        )
    ),
    "phap-luat": _nfc(
        (
            "đợt cao điểm tấn công trấn áp tội phạm",
            "công tác phòng cháy chữa cháy",
            "xử lý vi phạm nồng độ cồn",
            "tuyên truyền phổ biến pháp luật",
            "đường dây đánh bạc qua mạng",
            "công tác thi hành án dân sự",
        )
    ),
    "doi-song": _nfc(
        (
            "phong trào văn hóa cơ sở",
            "chợ phiên cuối tuần",
            "nghề truyền thống",
            "bữa cơm gia đình",
            "sân chơi cho thiếu nhi",
            "mô hình câu lạc bộ dưỡng sinh",
        )
    ),
    "van-hoa---giai-tri": _nfc(
        (
            "lễ hội Côn Sơn - Kiếp Bạc",
            "liên hoan nghệ thuật quần chúng",
            "di tích lịch sử cấp quốc gia",
            "chương trình hát chèo",
            "nghệ thuật múa rối nước",
            "tuần lễ văn hóa đọc",
        )
    ),
    "the-gioi": _nfc(
        (
            "hội nghị cấp cao ASEAN",
            "quan hệ hợp tác song phương",
            "chương trình viện trợ nhân đạo",
            "biến đổi khí hậu toàn cầu",
            "thương mại quốc tế",
        )
    ),
    "the-thao": _nfc(
        (
            "giải bóng đá thiếu niên",
            "giải việt dã truyền thống",
            "đại hội thể dục thể thao",
            "giải cờ tướng",
            "đội tuyển bóng chuyền nữ",
            "giải bơi lội học sinh",
        )
    ),
    "dat-va-nguoi-xu-dong": _nfc(
        (
            "làng nghề gốm Cậy",
            "bánh gai Ninh Giang",
            "vùng vải thiều Thanh Hà",
            "đền thờ danh nhân",
            "ký ức người lính",
        )
    ),
    "ban-doc": _nfc(
        (
            "ý kiến của cử tri",
            "đơn thư phản ánh",
            "tuyến đường xuống cấp",
            "rác thải nông thôn",
            "nước sạch sinh hoạt",
        )
    ),
}

#: How a sentence ends (place, time, purpose).
COMPLEMENTS: tuple[str, ...] = _nfc(
    (
        "trên địa bàn tỉnh",
        "tại các xã, phường, thị trấn",
        "trong những tháng cuối năm",
        "nhằm nâng cao đời sống nhân dân",
        "với sự tham gia của hàng trăm đại biểu",
        "góp phần phát triển kinh tế - xã hội",
        "theo đúng kế hoạch đề ra",
        "bảo đảm an toàn, tiết kiệm, hiệu quả",
        "ở các địa phương trong tỉnh",
        "trong giai đoạn 2021 - 2025",
        "với quyết tâm chính trị cao",
        "ngay từ những ngày đầu năm",
    )
)

#: Openers for body sentences.
OPENERS: tuple[str, ...] = _nfc(
    (
        "Theo đó",
        "Bên cạnh đó",
        "Cũng tại buổi làm việc",
        "Phát biểu tại hội nghị",
        "Dịp này",
        "Để đạt được kết quả trên",
        "Ngoài ra",
        "Tính đến nay",
        "Trong năm qua",
        "Thời gian tới",
        "Thứ nhất",
        "Thứ hai",
    )
)

#: Facts with a number placeholder ``{n}``.
FACTS: tuple[str, ...] = _nfc(
    (
        "đã có {n} hộ dân được hỗ trợ",
        "tổng kinh phí thực hiện hơn {n} tỷ đồng",
        "toàn tỉnh có {n} mô hình được nhân rộng",
        "kết quả đạt {p}% kế hoạch năm",
        "hơn {n} lượt người tham gia",
        "có {n} cơ sở bị kiểm tra, nhắc nhở",
        "đã trao tặng {n} suất quà",
        "diện tích gieo trồng đạt {n} ha",
    )
)

#: Times of day that open a lead ("Sáng 22/1, ...").
DAYTIMES: tuple[str, ...] = _nfc(("Sáng", "Chiều", "Tối", "Ngày", "Trưa"))

#: Image captions without a subject.
CAPTIONS: tuple[str, ...] = _nfc(
    (
        "Quang cảnh hội nghị",
        "Các đại biểu dự buổi lễ",
        "Lãnh đạo tỉnh kiểm tra thực tế tại cơ sở",
        "Người dân tham gia hưởng ứng chương trình",
        "Học sinh tham gia hoạt động ngoại khóa",
        "Cánh đồng lúa vụ chiêm xuân",
        "Trao quà cho các gia đình khó khăn",
        "Lực lượng chức năng làm nhiệm vụ",
    )
)

#: Reporters' names in title case (structured data); bylines print them in capitals.
REPORTERS: tuple[str, ...] = _nfc(
    (
        "Minh Ngọc",
        "Thành Chung",
        "Hải Minh",
        "Trần Hiếu",
        "Thu Hà",
        "Văn Đức",
        "Phạm Hương",
        "Nguyễn Thảo",
        "Đức Anh",
        "Quang Hưng",
        "Hoàng Bình",
        "Lê Tâm",
        "Đỗ Quyên",
        "Bảo Lâm",
        "Tiến Dũng",
        "Ngọc Huyền",
    )
)

#: Keyword tags beyond the topics themselves.
EXTRA_TAGS: tuple[str, ...] = _nfc(
    (
        "Hải Dương",
        "nông thôn mới",
        "chuyển đổi số",
        "cải cách hành chính",
        "an toàn giao thông",
        "văn hóa đọc",
        "vải thiều",
        "xứ Đông",
    )
)

#: Paragraph that links a document (a non-HTML file) from an article body.
DOCUMENT_LINK = _nfc(("Xem toàn văn báo cáo ", "tại đây", "."))

#: Paragraph that links an external site from an article body.
EXTERNAL_LINK = _nfc(
    ("Thông tin chi tiết được đăng trên ", "trang Facebook của Báo Hải Dương", ".")
)

#: Replacement sentences for near-duplicate wire stories.
WIRE_EDITS: tuple[str, ...] = _nfc(
    (
        "Thông tin được cập nhật lúc cuối ngày theo nguồn tin chính thức.",
        "Số liệu trên có thể thay đổi sau khi các địa phương báo cáo đầy đủ.",
        "Đây là lần đầu tiên hoạt động này được tổ chức ở quy mô toàn quốc.",
    )
)

#: Capitalised weekday names, Monday first (``datetime.weekday()`` order).
WEEKDAYS: tuple[str, ...] = _nfc(
    ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")
)
