"""The partner API: what NGOs may ask and send, and the smaller, keyed view they get back."""
