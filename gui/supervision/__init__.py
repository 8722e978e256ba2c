"""卫生监督 screens: the case register, the case form, 双随机抽查 and 投诉举报."""
