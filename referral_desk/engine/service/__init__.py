"""The desk service, split by area; `engine.desk.Desk` combines them."""
