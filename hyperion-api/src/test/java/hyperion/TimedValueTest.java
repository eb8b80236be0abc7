package hyperion;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TimedValueTest {

  @Test
  void aValueIsDueAtItsRefreshTimeOrElseAtItsExpiry() {
    long expiresAt = 123_456_789_012_345L;
    TimedValue refreshing = new TimedValue("v", expiresAt - 10, expiresAt, true);
    assertThat(refreshing.dueAt()).isEqualTo(expiresAt - 10);
    TimedValue staleOnly = new TimedValue("v", expiresAt - 10, expiresAt, false);
    assertThat(staleOnly.dueAt()).isEqualTo(expiresAt);
    TimedValue late = new TimedValue("v", expiresAt + 1, expiresAt, true);
    assertThat(late.dueAt()).as("a refresh time past the expiry is never used").isEqualTo(expiresAt);
    assertThat(late.claimRefresh()).as("due at its expiry: nothing to refresh").isFalse();
    assertThat(refreshing.claimRefresh()).isTrue();
    assertThat(refreshing.claimRefresh()).as("one reload per entry at a time").isFalse();
    refreshing.releaseRefresh();
    assertThat(refreshing.claimRefresh()).isTrue();
  }

  @Test
  void aReadAtTheDueTimeMarksTheValueDueForGoodAndDropsItsClass() {
    TimedValue t = new TimedValue("v", 100, 1_000, true);
    t.read(99);
    assertThat(t.isDue()).isFalse();
    assertThat(t.isFreshA(String.class)).isTrue();
    assertThat(t.isFreshA(CharSequence.class)).as("a supertype").isTrue();
    assertThat(t.isFreshA(Integer.class)).isFalse();
    t.read(100);
    assertThat(t.isDue()).isTrue();
    assertThat(t.isFreshA(String.class)).as("a due value is never a plain hit").isFalse();
    assertThat(t.isA(String.class)).isTrue();
    assertThat(t.isA(Integer.class)).isFalse();
    t.read(0);
    assertThat(t.isDue()).as("never cleared").isTrue();
  }
}
