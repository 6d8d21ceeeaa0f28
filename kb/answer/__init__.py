"""Answer: choose the sentence (quote), decide to answer or abstain, compose the cited answer; the danger check."""
