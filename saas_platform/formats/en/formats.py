# One way to write a date and a time in English, everywhere (pages, e-mails, PDFs): "4 Dec
# 2026", "4 Dec 2026, 13:09". Day-month order and a 24-hour clock read the same to a parent
# in Berlin and in Dublin, and avoid Django's "p.m." (whose full stop doubled at a
# sentence's end).
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
