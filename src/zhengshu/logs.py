"""Logging set-up: personal information never reaches a log line."""

from __future__ import annotations

import logging

from zhengshu.text.pii import mask_pii_in_text


class PiiMaskingFormatter(logging.Formatter):
    """Masks phone and ID numbers in the finished line, tracebacks included, whatever logged it."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_pii_in_text(super().format(record))


class PiiFilter(logging.Filter):
    """For handlers whose formatter is not ours: masks the message itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii_in_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(PiiMaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PiiFilter())
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
