"""Every table of the product, imported in one place for migrations and tests."""

from zhengshu.appeals import models as appeals_models
from zhengshu.audit import AuditEvent
from zhengshu.db import Base
from zhengshu.org import models as org_models

metadata = Base.metadata

__all__ = ["AuditEvent", "appeals_models", "metadata", "org_models"]
