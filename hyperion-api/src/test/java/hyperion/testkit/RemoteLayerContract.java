package hyperion.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import hyperion.cache.RejectedValueException;
import hyperion.cache.RemoteEntry;
import hyperion.cache.RemoteLayer;
import hyperion.config.CacheSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RemoteLayer} shares, including under network faults. Subclass it,
 * implement {@link #factory()} and {@link #faults()}, and the kit runs against your layer; the
 * Redis layer runs it behind a {@link TcpProxy}.
 */
public abstract class RemoteLayerContract {

  /** A value type every layer must round-trip. */
  public record Item(String id, int quantity, List<String> tags) {}

  /** Network faults the kit injects between the layer and its server. */
  public interface Faults {
    /** Every answer arrives {@code d} late. */
    void delay(Duration d);

    /** Nothing gets through; connections stay open (a hung server, a partition). */
    void blackhole() throws Exception;

    /** Every open connection is reset. */
    void reset() throws Exception;

    /** Connections are closed and new ones refused (the server went away). */
    void drop() throws Exception;

    /** Back to normal. */
    void heal() throws Exception;
  }

  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final long TTL = 60_000;

  /** The layer under test, for a fresh cache name each test. */
  protected RemoteLayer layer;

  /** Creates layers; called once per test. */
  protected abstract RemoteLayer.Factory factory() throws Exception;

  /** The fault injector between the layers {@link #factory()} makes and their server. */
  protected abstract Faults faults();

  /**
   * The longest a call may take to complete (either way) while a fault is injected: the layer's
   * own bound (its command timeout) plus scheduling slack.
   */
  protected abstract Duration failureBound();

  /** How long the layer may take to work again after {@link Faults#heal()} (reconnecting). */
  protected Duration recoveryBound() {
    return Duration.ofSeconds(10);
  }

  /** A value the layer refuses as too large, if it has a limit. */
  protected Optional<Object> tooLargeValue() {
    return Optional.empty();
  }

  /** Releases what the factory made; called after each test. */
  protected void release() throws Exception {}

  @BeforeEach
  void createLayer() throws Exception {
    layer = newLayer();
  }

  @AfterEach
  void healAndRelease() throws Exception {
    faults().heal();
    release();
  }

  private RemoteLayer newLayer() throws Exception {
    return factory().create("remote-contract-" + NAMES.incrementAndGet(), CacheSpec.DEFAULTS);
  }

  static Item item(String id) {
    return new Item(id, id.length(), List.of("x", "y"));
  }

  /** The stage's result, failing the test when it takes more than 10 s. */
  protected static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Item value(RemoteEntry e) throws Exception {
    assertThat(e.present()).as("present").isTrue();
    return e.decode(Item.class);
  }

  @Nested
  class Values {
    @Test
    void absentKeyReadsAsAbsent() throws Exception {
      RemoteEntry e = await(layer.get("nothing"));
      assertThat(e.present()).isFalse();
      assertThat(await(layer.exists("nothing"))).isFalse();
    }

    @Test
    void putThenGetRoundTripsWithTheExpiry() throws Exception {
      long before = System.currentTimeMillis();
      await(layer.put("k", item("k"), TTL));
      RemoteEntry e = await(layer.get("k"));
      assertThat(value(e)).isEqualTo(item("k"));
      assertThat(e.expiresAtMillis()).isBetween(before + TTL - 2_000, System.currentTimeMillis() + TTL + 2_000);
      assertThat(await(layer.exists("k"))).isTrue();
    }

    @Test
    void decodingAsAnotherTypeThrows() throws Exception {
      await(layer.put("k", "just a string", TTL));
      RemoteEntry e = await(layer.get("k"));
      assertThatThrownBy(() -> e.decode(Item.class)).isInstanceOf(Exception.class);
    }

    @Test
    void putOverwrites() throws Exception {
      await(layer.put("k", item("a"), TTL));
      await(layer.put("k", item("bb"), TTL));
      assertThat(value(await(layer.get("k")))).isEqualTo(item("bb"));
    }

    @Test
    void entriesExpireAfterTheirTtl() throws Exception {
      await(layer.put("short", item("s"), 300));
      await(layer.put("long", item("l"), TTL));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (await(layer.get("short")).present() && System.nanoTime() < deadline) {
        Thread.sleep(25);
      }
      assertThat(await(layer.get("short")).present()).isFalse();
      assertThat(await(layer.get("long")).present()).isTrue();
    }

    @Test
    void deleteReportsWhatWasThereAndLeavesNothingReadable() throws Exception {
      await(layer.put("k", item("k"), TTL));
      assertThat(await(layer.delete("k", 5_000))).isTrue();
      assertThat(await(layer.get("k")).present()).isFalse();
      assertThat(await(layer.exists("k"))).isFalse();
      assertThat(await(layer.delete("k", 5_000))).isFalse();
      assertThat(await(layer.delete("never", 5_000))).isFalse();
    }

    @Test
    void getAllAnswersEveryKeyInOrderInOneCall() throws Exception {
      Map<String, Item> batch = new LinkedHashMap<>();
      for (int i = 0; i < 50; i++) {
        batch.put("key" + i, item("key" + i));
      }
      await(layer.putAll(batch, TTL));
      List<String> keys = new ArrayList<>(batch.keySet());
      keys.add(7, "missing");
      keys.add("key3"); // a key asked twice is answered twice
      List<RemoteEntry> read = await(layer.getAll(keys));
      assertThat(read).hasSize(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        String k = keys.get(i);
        if (k.equals("missing")) {
          assertThat(read.get(i).present()).isFalse();
        } else {
          assertThat(value(read.get(i))).isEqualTo(batch.get(k));
        }
      }
    }

    @Test
    void clearRemovesOnlyThisCache() throws Exception {
      RemoteLayer other = newLayer();
      await(layer.put("a", item("a"), TTL));
      await(other.put("a", item("other"), TTL));
      await(layer.clear());
      assertThat(await(layer.get("a")).present()).isFalse();
      assertThat(value(await(other.get("a")))).isEqualTo(item("other"));
    }

    @Test
    void aValueTooLargeIsRefusedAndNothingIsStored() throws Exception {
      assumeTrue(tooLargeValue().isPresent(), "the layer has no size limit");
      await(layer.put("k", item("old"), TTL));
      assertThatThrownBy(() -> await(layer.put("k", tooLargeValue().get(), TTL)))
          .hasCauseInstanceOf(RejectedValueException.class);
      // The old value must not outlive the write that replaced it.
      assertThat(await(layer.get("k")).present()).isFalse();
    }

    @Test
    void spanAttributesNameTheBackend() {
      assertThat(layer.spanAttributes()).containsKey("db.system.name");
    }
  }

  /** The write-back of a load never replaces a newer write or undoes a delete. */
  @Nested
  class ConditionalWrites {
    @Test
    void writesWhenTheKeyIsStillAbsent() throws Exception {
      RemoteEntry seen = await(layer.get("k"));
      assertThat(await(layer.putIfUnchanged("k", item("loaded"), TTL, seen))).isTrue();
      assertThat(value(await(layer.get("k")))).isEqualTo(item("loaded"));
    }

    @Test
    void doesNotReplaceAWriteMadeAfterTheRead() throws Exception {
      RemoteEntry seen = await(layer.get("k"));
      await(layer.put("k", item("newer"), TTL));
      assertThat(await(layer.putIfUnchanged("k", item("stale"), TTL, seen))).isFalse();
      assertThat(value(await(layer.get("k")))).isEqualTo(item("newer"));
    }

    @Test
    void doesNotUndoADeleteMadeAfterTheRead() throws Exception {
      RemoteEntry seen = await(layer.get("k"));
      await(layer.delete("k", 5_000));
      assertThat(await(layer.putIfUnchanged("k", item("stale"), TTL, seen))).isFalse();
      assertThat(await(layer.get("k")).present()).isFalse();
    }

    @Test
    void aLoadThatBeganAfterTheDeleteWritesOverItsTombstone() throws Exception {
      await(layer.put("k", item("old"), TTL));
      await(layer.delete("k", 5_000));
      RemoteEntry tombstone = await(layer.get("k"));
      assertThat(tombstone.present()).isFalse();
      assertThat(await(layer.putIfUnchanged("k", item("fresh"), TTL, tombstone))).isTrue();
      assertThat(value(await(layer.get("k")))).isEqualTo(item("fresh"));
    }

    @Test
    void doesNotReplaceAnotherDeletesTombstone() throws Exception {
      await(layer.delete("k", 5_000));
      RemoteEntry first = await(layer.get("k"));
      await(layer.delete("k", 5_000));
      assertThat(await(layer.putIfUnchanged("k", item("stale"), TTL, first))).isFalse();
    }

    @Test
    void ofTwoLoadsThatSawTheSameAbsenceOnlyOneWrites() throws Exception {
      RemoteEntry seen = await(layer.get("k"));
      boolean a = await(layer.putIfUnchanged("k", item("a"), TTL, seen));
      boolean b = await(layer.putIfUnchanged("k", item("b"), TTL, seen));
      assertThat(a).isTrue();
      assertThat(b).isFalse();
      assertThat(value(await(layer.get("k")))).isEqualTo(item("a"));
    }

    @Test
    void aTombstoneLastsItsTtlOnly() throws Exception {
      RemoteEntry seen = await(layer.get("k"));
      await(layer.delete("k", 200));
      Thread.sleep(600);
      // The documented residual window: a load slower than tombstone_ttl may write what it read.
      assertThat(await(layer.putIfUnchanged("k", item("late"), TTL, seen))).isTrue();
    }
  }

  /** Under faults every call still completes, within the layer's own bound. */
  @Nested
  class UnderFaults {
    private void assertEveryCallCompletesWithinTheBound(RemoteEntry seen) throws Exception {
      List<Supplier<CompletionStage<?>>> calls = List.of(
          () -> layer.get("k"), () -> layer.getAll(List.of("a", "b")), () -> layer.exists("k"),
          () -> layer.put("k", item("k"), TTL), () -> layer.putAll(Map.of("a", item("a")), TTL),
          () -> layer.putIfUnchanged("k", item("k"), TTL, seen),
          () -> layer.delete("k", 1_000));
      for (Supplier<CompletionStage<?>> call : calls) {
        long t0 = System.nanoTime();
        CompletionStage<?> stage = call.get();
        try {
          stage.toCompletableFuture().get(failureBound().toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
          // failing is fine; hanging is not
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThanOrEqualTo(failureBound());
      }
    }

    private void assertWorksAgainAfterHealing() throws Exception {
      faults().heal();
      long deadline = System.nanoTime() + recoveryBound().toNanos();
      while (true) {
        try {
          await(layer.put("after", item("after"), TTL));
          assertThat(value(await(layer.get("after")))).isEqualTo(item("after"));
          return;
        } catch (ExecutionException e) {
          assertThat(System.nanoTime()).as("recovered within " + recoveryBound()).isLessThan(deadline);
          Thread.sleep(50);
        }
      }
    }

    @Test
    void delayedAnswersArriveLateAndRight() throws Exception {
      await(layer.put("k", item("k"), TTL));
      faults().delay(Duration.ofMillis(150));
      long t0 = System.nanoTime();
      assertThat(value(await(layer.get("k")))).isEqualTo(item("k"));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(140));
    }

    @Test
    void aBlackholeFailsEveryCallWithinTheBound() throws Exception {
      await(layer.put("warm", item("w"), TTL));
      RemoteEntry seen = await(layer.get("k"));
      faults().blackhole();
      assertEveryCallCompletesWithinTheBound(seen);
      assertWorksAgainAfterHealing();
    }

    @Test
    void aResetFailsCallsWithinTheBoundAndTheLayerRecovers() throws Exception {
      await(layer.put("warm", item("w"), TTL));
      RemoteEntry seen = await(layer.get("k"));
      faults().reset();
      assertEveryCallCompletesWithinTheBound(seen);
      assertWorksAgainAfterHealing();
    }

    @Test
    void aDroppedServerFailsCallsWithinTheBoundAndTheLayerRecovers() throws Exception {
      await(layer.put("warm", item("w"), TTL));
      RemoteEntry seen = await(layer.get("k"));
      faults().drop();
      assertEveryCallCompletesWithinTheBound(seen);
      assertWorksAgainAfterHealing();
    }
  }
}
