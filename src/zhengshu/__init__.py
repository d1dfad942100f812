"""zhengshu (政数): the platform of a district government services and data bureau."""

__version__ = "0.1.0"
