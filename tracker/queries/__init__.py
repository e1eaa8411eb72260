"""Reads: functions named for what they return, taking the session first.

Views never build SQL; each page calls a few of these, and none issues a query per row.
"""
