"""The domain of 卫健台账: rules, services, returns, import/export. Never imports Qt."""
