from __future__ import annotations

import logging

from zhengshu.logs import PiiFilter


def test_pii_filter_masks_phone_and_id_numbers_in_any_record(caplog):
    logger = logging.getLogger("zhengshu.test")
    logger.addFilter(PiiFilter())
    try:
        with caplog.at_level(logging.INFO, logger="zhengshu.test"):
            logger.info("caller %s id %s", "13812345678", "440307199001011237")
            logger.warning("plain message without numbers")
    finally:
        logger.filters.clear()
    text = caplog.text
    assert "13812345678" not in text and "440307199001011237" not in text
    assert "138****5678" in text and "plain message without numbers" in text
