from __future__ import annotations

from controller.pipeline.throttle import Throttle


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_at_most_one_edit_per_interval() -> None:
    clock = FakeClock()
    throttle = Throttle(3.0, clock)
    sent = []
    for step in range(100):
        clock.now = step * 0.5
        if throttle.ready():
            sent.append(clock.now)
    assert sent == [float(t) for t in range(0, 50, 3)]
    assert all(b - a >= 3.0 for a, b in zip(sent, sent[1:]))
