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


def test_a_report_counts_requests_still_unanswered_as_spent():
    # Shopify's report for the first request cannot include the second, still in flight.
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(100.0))
    first = pacer.reserve(50)
    pacer.reserve(50)
    pacer.observe(status(50.0), first)  # 50 left after the first; the second will take the rest
    pacer.reserve(50)
    assert clock.slept == [0.5]


def test_an_older_report_arriving_late_is_ignored():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(200.0))
    first, second = pacer.reserve(100), pacer.reserve(100)
    pacer.observe(status(0.0), second)  # the first was still unanswered: counted spent too (-100)
    pacer.observe(status(100.0), first)  # older news: the bucket was drained since
    pacer.reserve(100)
    assert clock.slept == [2.0]


def test_a_request_without_reply_stops_counting_once_settled():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(100.0))
    lost = pacer.reserve(100)
    pacer.settle(lost)
    other = pacer.reserve(10)  # 1 s of restore: the lost request was booked against the projection
    pacer.observe(status(100.0), other)
    pacer.reserve(100)
    assert clock.slept == [0.1]


def test_until_the_first_reply_one_request_probes_alone():
    import threading

    pacer = CostPacer()
    pacer.reserve(10)  # the probe, in flight
    second_went = threading.Event()

    def second():
        pacer.reserve(10)
        second_went.set()

    worker = threading.Thread(target=second)
    worker.start()
    assert not second_went.wait(0.2), "a second request went out before the bucket was known"
    pacer.observe(status(500.0), 1)
    assert second_went.wait(2.0)
    worker.join()


def test_alone_it_counts_on_the_whole_restore_rate():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(500.0, rate=100.0))
    level = 500.0
    for _ in range(30):  # 10 points every 0.1 s: exactly what restores, and nobody else spends
        ticket = pacer.reserve(10)
        clock.now += 0.1
        pacer.observe(status(level, rate=100.0), ticket)
    assert pacer.foreign_rate < 1e-6


def test_points_others_spend_from_the_same_bucket_are_left_to_them():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(800.0, rate=100.0))
    level = 800.0
    for _ in range(60):  # we spend 10 per 0.1 s, the bucket drops by 5 more: others take 50 points/s
        ticket = pacer.reserve(10)
        clock.now += 0.1
        level -= 5.0
        pacer.observe(status(level, rate=100.0), ticket)
    assert 40.0 <= pacer.foreign_rate <= 50.0
    clock.slept.clear()
    pacer.observe(status(0.0, rate=100.0), pacer.reserve(0))
    pacer.reserve(10)  # the bucket is empty; 10 points come back at our ~50 points/s, not at 100
    assert 0.18 <= clock.slept[-1] <= 0.25


def test_a_throttled_request_is_not_counted_as_our_spending():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(500.0, rate=100.0))
    for _ in range(30):  # every other request is refused: the bucket stays where it is
        refused = pacer.reserve(10)
        pacer.observe(status(500.0 - 1, rate=100.0), refused, spent=False)
        ticket = pacer.reserve(10)
        clock.now += 0.1
        pacer.observe(status(500.0 - 1, rate=100.0), ticket)
    assert pacer.foreign_rate < 1e-6


def test_a_bucket_filling_up_means_others_have_stopped():
    clock = FakeClock()
    pacer = CostPacer(clock, clock.sleep)
    pacer.observe(status(800.0, rate=100.0))
    level = 800.0
    for _ in range(60):
        ticket = pacer.reserve(10)
        clock.now += 0.1
        level -= 5.0
        pacer.observe(status(level, rate=100.0), ticket)
    assert pacer.foreign_rate > 40.0
    pacer.observe(status(950.0, rate=100.0), pacer.reserve(0))
    assert pacer.foreign_rate == 0.0
