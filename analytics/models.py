"""Metric read models computed by Celery (DESIGN.md "Analytics").

Empty until the analytics issue builds them.
"""
