"""Personal data from Python: find_pii gives kinds and character offsets into
the str, mask_pii masks in place and twice changes nothing, ordinary numbers
are left alone."""

import pytest

import ccengine


def test_find_and_mask():
    text = "张三的手机13812345678，邮箱 zhang.san@example.com，身份证11010519491231002X。"
    found = ccengine.find_pii(text)
    assert [f["kind"] for f in found] == ["mobile", "email", "resident_id"]
    for f in found:
        assert text[f["start"] : f["end"]] == f["text"]
    masked = ccengine.mask_pii(text)
    assert masked == "张三的手机138****5678，邮箱 z***@example.com，身份证110***********002X。"
    assert ccengine.find_pii(masked) == []
    assert ccengine.mask_pii(masked) == masked


def test_ordinary_numbers_are_left_alone():
    for text in ["拨打12345热线", "400-820-8820", "2026-12-05 15:17", "工单 20261205153000"]:
        assert ccengine.find_pii(text) == []
        assert ccengine.mask_pii(text) == text


def test_bytes_are_refused():
    with pytest.raises(TypeError, match="text: expected a str, got .bytes."):
        ccengine.mask_pii(b"13812345678")
    with pytest.raises(TypeError, match="text: expected a str"):
        ccengine.find_pii(None)
