"""Measurement: eval (hit@k, MRR, keyword accuracy, abstention), cross-validation, the plain baseline, benchmark, load test."""
