"""政务服务知识库 + 智能客服: service items, the assistant, pre-fill and pre-review."""
