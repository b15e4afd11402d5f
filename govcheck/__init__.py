"""govcheck: inspect government websites and new-media accounts against 《政府网站与政务新媒体检查指标》."""

__version__ = "0.1.0"
