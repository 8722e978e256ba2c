"""扶助对象: the recipient register's screens (roster, form, programmes) over core.subsidy."""
