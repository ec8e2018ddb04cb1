"""Writes to the catalogue, one module per part of it (import from the module itself):

- ``validation``: the checks on money, percentages, names and dates every write makes;
- ``products``: products and their options;
- ``price_sheets``: sheets, their prices, and their attachment to a school or picture day;
- ``packages``: "all digital" packages and bundles on a sheet;
- ``discounts``: a sheet's quantity tiers, early-birds, free items and sibling discount;
- ``coupons``: coupon codes and their redemption;
- ``pricing_rules``: a picture day's rules as the values ``pricing.price_cart`` takes.
"""
