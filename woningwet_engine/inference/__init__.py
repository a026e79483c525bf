"""Inference: the durable_rules matcher behind one adapter, and the reference evaluator."""
