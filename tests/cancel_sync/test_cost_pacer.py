from include.cancel_sync.cost_pacer import CostPacer


class FakeClock:
    """A clock the test advances; sleeping advances it too."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


def status(available, maximum=1000.0, rate=100.0):
    return {"currentlyAvailable": available, "maximumAvailable": maximum, "restoreRate": rate}


def test_no_wait_before_the_first_reply():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.reserve(500)
    assert clock.slept == []


def test_waits_exactly_the_deficit_over_the_restore_rate():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(30.0))
    pacer.reserve(50)  # 20 points short at 100/s
    assert clock.slept == [0.2]


def test_reservations_queue_concurrent_requests():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(100.0))
    pacer.reserve(100)  # uses what is there
    pacer.reserve(100)  # must wait a full second for the restore
    assert clock.slept == [1.0]


def test_projection_is_capped_at_the_bucket_size():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(0.0, maximum=200.0))
    clock.now += 60  # would restore 6000 points uncapped
    pacer.reserve(200)
    pacer.reserve(100)
    assert clock.slept == [1.0]


def test_throttle_wait_follows_shopifys_formula():
    pacer = CostPacer()
    assert pacer.throttle_wait(250, status(50.0, rate=100.0)) == 2.0
