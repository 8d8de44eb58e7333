import pytest

from newsbot.feeds.slug import section_slug


@pytest.mark.parametrize(
    ("section", "slug"),
    [
        pytest.param("Khoa học - Giáo dục", "khoa-hoc-giao-duc", id="spaced-hyphen-between-words"),
        pytest.param("Đất và người xứ Đông", "dat-va-nguoi-xu-dong", id="d-with-stroke-both-cases"),
        pytest.param("Văn hóa - Giải trí", "van-hoa-giai-tri", id="stacked-tone-marks"),
        pytest.param("Thế giới", "the-gioi", id="circumflex-plus-tone"),
        pytest.param("Ưu đãi ở Thủy Nguyên", "uu-dai-o-thuy-nguyen", id="horn-letters-u-o"),
        pytest.param("ĐỜI SỐNG", "doi-song", id="breadcrumb-in-capitals"),
        pytest.param("Xem - Nghe - Đọc", "xem-nghe-doc", id="legacy-triple-hyphen-section"),
        pytest.param("Thời sự\u00a0", "thoi-su", id="trailing-nbsp-from-breadcrumb"),
        pytest.param("Kinh te\u0301", "kinh-te", id="decomposed-nfd-input"),
        pytest.param("Bạn đọc/Ý kiến", "ban-doc-y-kien", id="slash-between-names"),
        pytest.param("Ｔｈể ｔｈａｏ", "the-thao", id="full-width-letters"),
        pytest.param("Pháp luật 24/7", "phap-luat-24-7", id="digits-kept"),
        pytest.param("ÐIỂM TIN", "diem-tin", id="icelandic-eth-typed-for-d-stroke"),
        pytest.param("  --Góc nhìn--  ", "goc-nhin", id="edge-separators-trimmed"),
        pytest.param("中文", "", id="nothing-ascii-left"),
        pytest.param("", "", id="empty"),
        pytest.param(None, "", id="no-section"),
    ],
)
def test_section_slug(section, slug):
    assert section_slug(section) == slug


def test_slug_is_plain_ascii_file_name():
    slug = section_slug("Đời sống – Sức khỏe: “Mẹo” & ‘chia sẻ’")
    assert slug == "doi-song-suc-khoe-meo-chia-se"
    assert slug.isascii() and "/" not in slug
