# One way to write a date and a time in Ukrainian, everywhere: "4 гру 2026", "4 гру 2026, 13:09".
DATE_FORMAT = "j b Y"
DATETIME_FORMAT = "j b Y, H:i"
SHORT_DATE_FORMAT = "j b Y"
SHORT_DATETIME_FORMAT = "j b Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j b"
YEAR_MONTH_FORMAT = "F Y"
FIRST_DAY_OF_WEEK = 1
