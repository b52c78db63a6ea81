"""kwtrack: keyword and product tracking for Alibaba.com store operators."""

__version__ = "0.1.0"
