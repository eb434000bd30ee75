"""Compare with my code: a person's own backprop modules checked against the engine, in the app."""
