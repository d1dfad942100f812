"""Every table of the product, imported in one place for migrations and tests."""

from zhengshu.appeals import board_models as appeals_board_models  # noqa: F401
from zhengshu.appeals import classification_models as appeals_classification_models  # noqa: F401
from zhengshu.appeals import closure_models as appeals_closure_models  # noqa: F401
from zhengshu.appeals import library_models as appeals_library_models  # noqa: F401
from zhengshu.appeals import models as appeals_models
from zhengshu.appeals import signal_models as appeals_signal_models  # noqa: F401
from zhengshu.audit import AuditEvent
from zhengshu.db import Base
from zhengshu.guide import application_models as guide_application_models  # noqa: F401
from zhengshu.guide import models as guide_models  # noqa: F401
from zhengshu.org import models as org_models
from zhengshu.policy import models as policy_models  # noqa: F401

metadata = Base.metadata

__all__ = ["AuditEvent", "appeals_models", "metadata", "org_models"]
