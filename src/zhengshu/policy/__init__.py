"""政策文件库 and AI 政策问答: normative documents, their passages, retrieval and refusal."""
