from __future__ import annotations

import logging
import sys

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


def test_tracebacks_are_masked_too():
    from zhengshu.logs import PiiMaskingFormatter

    logger = logging.getLogger("zhengshu.test.traceback")
    try:
        raise ValueError("bad input 13812345678 / 440307199001011237")
    except ValueError:
        record = logger.makeRecord(logger.name, logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = PiiMaskingFormatter("%(message)s").format(record)
    assert "Traceback" in line and "ValueError" in line
    assert "13812345678" not in line and "440307199001011237" not in line
