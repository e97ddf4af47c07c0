package io.aepstreams.streams.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class WaitClockTest {
  @Test
  void aBatchWaitsTheWallClockTimeSinceItsFirstImage() {
    WaitClock clock = new WaitClock(10, 0);
    clock.start(3);
    assertEquals(7, clock.tick(10), "from the first image to the punctuation");
    assertEquals(17, clock.tick(20));
    WaitClock.forwardPassRan();
    assertEquals(57, clock.tick(60), "a pass after the start (another task's batch) is waiting time too");
  }

  @Test
  void aStartReadFromAStaleTimeDoesNotCountThePassBeforeIt() {
    WaitClock clock = new WaitClock(1, 100);
    // The thread's cached time is 100, read before a pass of 25 ms that filled the batch before this one.
    WaitClock.forwardPassRan();
    clock.start(100);
    assertEquals(1, clock.tick(126), "25 ms of the batch before is not 25 ms of waiting: one tick at most");
    assertEquals(3, clock.tick(128), "from then on, in full");
  }

  @Test
  void aStartWithNoPassBeforeItCountsFromItsTime() {
    WaitClock clock = new WaitClock(1, 100);
    clock.tick(101);
    clock.start(102);
    assertEquals(8, clock.tick(110));
  }

  @Test
  void nothingWaitsOnceStopped() {
    WaitClock clock = new WaitClock(5, 0);
    clock.start(0);
    assertEquals(5, clock.tick(5));
    clock.stop();
    assertEquals(0, clock.tick(10));
    clock.start(10);
    assertEquals(5, clock.tick(15), "a new batch waits from its own first image");
  }

  @Test
  void passesOnOtherThreadsDoNotMakeAStartStale() throws InterruptedException {
    WaitClock clock = new WaitClock(1, 0);
    Thread other = new Thread(WaitClock::forwardPassRan);
    other.start();
    other.join();
    clock.start(0);
    assertEquals(30, clock.tick(30), "another stream thread's pass held this one up in nothing");
  }
}
