//! Action events from the stream of window labels: per body, a class *starts* when it is the
//! best class with score ≥ `enter` (and not unknown) for `min_windows` windows in a row, and
//! *ends* when it has not been carried for `min_windows` windows in a row, or when its body
//! disappears. A window carries the active class when the class still scores ≥ `exit` and no
//! other class beats it with a score ≥ `enter`; so gaps shorter than `min_windows` windows
//! merge into one event, and a flickering label never starts one.
//!
//! Fixed-size state (a slot per body, a small queue of finished events): nothing here
//! allocates, so the inference thread stays allocation-free.

use super::window::WindowInfo;
use crate::protocol::{EVENT_VERSION, EventClass, EventKind, EventMessage};

/// Bodies followed at once (the window assembler tracks at most 6).
const SLOTS: usize = 8;
/// Events waiting to be published: at most two per window, plus one per body at a reset.
const QUEUE: usize = 2 * SLOTS;

/// The hysteresis of `scale serve --event-enter/--event-exit/--event-min-windows`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EventConfig {
    pub enter: f32,
    pub exit: f32,
    pub min_windows: u32,
}

impl Default for EventConfig {
    /// Chosen with the bundled model on synthetic recordings of held-out performers
    /// (`docs/protocol.md`, "Events"): `enter` above the 90th percentile of wrong top-1
    /// windows and of standing still, `exit` at the median of wrong top-1 windows.
    fn default() -> EventConfig {
        EventConfig {
            enter: 0.11,
            exit: 0.06,
            min_windows: 3,
        }
    }
}

impl EventConfig {
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.enter) || !(0.0..=1.0).contains(&self.exit) {
            return Err(format!(
                "--event-enter {} and --event-exit {} must be scores in 0..=1",
                self.enter, self.exit
            ));
        }
        if self.exit > self.enter {
            return Err(format!(
                "--event-exit {} must not be above --event-enter {}",
                self.exit, self.enter
            ));
        }
        if self.min_windows == 0 {
            return Err("--event-min-windows must be at least 1".into());
        }
        Ok(())
    }
}

/// An event of a class given by its index among the engine's classes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    pub kind: EventKind,
    pub body: u64,
    pub class: usize,
    pub t_start_us: u64,
    pub t_end_us: u64,
    pub seq_first: u64,
    pub seq_last: u64,
    pub score: f32,
    pub windows: u32,
}

impl Event {
    /// The message, with the class's id and name.
    pub fn message<'a>(&self, ids: &[u32], names: &'a [String]) -> EventMessage<&'a str> {
        EventMessage {
            v: EVENT_VERSION,
            event: self.kind,
            body: self.body,
            class: EventClass {
                id: ids[self.class],
                name: names[self.class].as_str(),
            },
            t_start_us: self.t_start_us,
            t_end_us: (self.kind == EventKind::End).then_some(self.t_end_us),
            seq_first: self.seq_first,
            seq_last: self.seq_last,
            score: self.score,
            windows: self.windows,
        }
    }
}

/// A run of windows of one class: a candidate, or the active event.
#[derive(Clone, Copy, Debug)]
struct Run {
    class: usize,
    t_start_us: u64,
    t_end_us: u64,
    seq_first: u64,
    seq_last: u64,
    score_sum: f32,
    windows: u32,
}

impl Run {
    fn new(class: usize, w: &WindowInfo, score: f32) -> Run {
        Run {
            class,
            t_start_us: w.t_first_us,
            t_end_us: w.t_last_us,
            seq_first: w.seq_first,
            seq_last: w.seq_last,
            score_sum: score,
            windows: 1,
        }
    }

    fn extend(&mut self, w: &WindowInfo, score: f32) {
        self.t_end_us = w.t_last_us;
        self.seq_last = w.seq_last;
        self.score_sum += score;
        self.windows += 1;
    }

    fn event(&self, kind: EventKind, body: u64) -> Event {
        Event {
            kind,
            body,
            class: self.class,
            t_start_us: self.t_start_us,
            t_end_us: self.t_end_us,
            seq_first: self.seq_first,
            seq_last: self.seq_last,
            score: self.score_sum / self.windows.max(1) as f32,
            windows: self.windows,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    body: u64,
    candidate: Option<Run>,
    active: Option<Run>,
    /// Windows in a row that did not carry the active class.
    missed: u32,
}

/// Follows every body's labels and queues its start and end events.
pub struct EventTracker {
    config: EventConfig,
    slots: [Option<Slot>; SLOTS],
    queue: [Option<Event>; QUEUE],
    queued: usize,
    /// Events lost because the queue was full (not drained between windows).
    pub overflowed: u64,
}

impl EventTracker {
    pub fn new(config: EventConfig) -> EventTracker {
        EventTracker {
            config,
            slots: [None; SLOTS],
            queue: [None; QUEUE],
            queued: 0,
            overflowed: 0,
        }
    }

    pub fn config(&self) -> EventConfig {
        self.config
    }

    fn push(&mut self, e: Event) {
        if self.queued < QUEUE {
            self.queue[self.queued] = Some(e);
            self.queued += 1;
        } else {
            self.overflowed += 1;
        }
    }

    /// The queued events, oldest first; the queue is empty afterwards.
    pub fn drain(&mut self) -> impl Iterator<Item = Event> + '_ {
        let n = std::mem::take(&mut self.queued);
        self.queue[..n].iter_mut().filter_map(Option::take)
    }

    /// Takes one labelled window: its best class (index), whether it is unknown, and the
    /// scores of every class. A still window ([`WindowInfo::still`]) counts as unknown: it
    /// neither starts an event nor carries one.
    pub fn on_window(&mut self, w: &WindowInfo, best: usize, unknown: bool, scores: &[f32]) {
        let Some(body) = w.bodies[0] else { return };
        let unknown = unknown || w.still;
        let cfg = self.config;
        let slot = match self
            .slots
            .iter()
            .position(|s| s.is_some_and(|s| s.body == body))
        {
            Some(i) => i,
            None => match self.slots.iter().position(Option::is_none) {
                Some(i) => {
                    self.slots[i] = Some(Slot {
                        body,
                        candidate: None,
                        active: None,
                        missed: 0,
                    });
                    i
                }
                None => return,
            },
        };
        let mut s = self.slots[slot].expect("a slot");
        let best_score = scores.get(best).copied().unwrap_or(0.0);
        let qualifies = !unknown && best_score >= cfg.enter;
        if let Some(mut a) = s.active {
            let score = scores.get(a.class).copied().unwrap_or(0.0);
            let beaten = qualifies && best != a.class;
            if !unknown && score >= cfg.exit && !beaten {
                a.extend(w, score);
                s.missed = 0;
                s.active = Some(a);
            } else {
                s.missed += 1;
                if s.missed >= cfg.min_windows {
                    self.push(a.event(EventKind::End, body));
                    s.active = None;
                    s.missed = 0;
                }
            }
        }
        let active_class = s.active.map(|a| a.class);
        s.candidate = if qualifies && active_class != Some(best) {
            match s.candidate {
                Some(mut c) if c.class == best => {
                    c.extend(w, best_score);
                    Some(c)
                }
                _ => Some(Run::new(best, w, best_score)),
            }
        } else {
            None
        };
        if s.active.is_none()
            && let Some(c) = s.candidate
            && c.windows >= cfg.min_windows
        {
            self.push(c.event(EventKind::Start, body));
            s.active = Some(c);
            s.candidate = None;
        }
        self.slots[slot] = Some(s);
    }

    /// Ends the events of bodies that are no longer tracked and forgets them.
    pub fn retain_bodies(&mut self, tracked: impl Fn(u64) -> bool) {
        for i in 0..SLOTS {
            if let Some(s) = self.slots[i]
                && !tracked(s.body)
            {
                if let Some(a) = s.active {
                    self.push(a.event(EventKind::End, s.body));
                }
                self.slots[i] = None;
            }
        }
    }

    /// Follows a change of the engine's class set: `new_index` maps a class index of the old
    /// set to its index in the new one, or `None` for a class that is gone. An active event
    /// of a class that is gone ends now (queued with its old index: drain the queue before
    /// the old set's names are dropped); a candidate of one is forgotten; everything else
    /// carries on under its new index.
    pub fn remap_classes(&mut self, new_index: impl Fn(usize) -> Option<usize>) {
        for i in 0..SLOTS {
            let Some(mut s) = self.slots[i] else { continue };
            if let Some(mut a) = s.active {
                match new_index(a.class) {
                    Some(k) => {
                        a.class = k;
                        s.active = Some(a);
                    }
                    None => {
                        self.push(a.event(EventKind::End, s.body));
                        s.active = None;
                        s.missed = 0;
                    }
                }
            }
            s.candidate = s.candidate.and_then(|mut c| {
                c.class = new_index(c.class)?;
                Some(c)
            });
            self.slots[i] = Some(s);
        }
    }

    /// Ends every open event (the stream restarted).
    pub fn reset(&mut self) {
        self.retain_bodies(|_| false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: usize = 4;
    const CFG: EventConfig = EventConfig {
        enter: 0.35,
        exit: 0.15,
        min_windows: 3,
    };

    /// Window i of body 7: frames 4i+1 ..= 4i+64 (stride 4, window 64), 30 fps.
    fn window(i: u64) -> WindowInfo {
        let t = |seq: u64| seq * 33_333;
        WindowInfo {
            bodies: [Some(7), None],
            seq_first: 4 * i + 1,
            seq_last: 4 * i + 64,
            t_first_us: t(4 * i + 1),
            t_last_us: t(4 * i + 64),
            motion: 0.2,
            still: false,
        }
    }

    /// The best class at `score`, every other class at 0.05 (as for one of many classes).
    fn scores(best: usize, score: f32) -> [f32; K] {
        let mut s = [0.05; K];
        s[best] = score;
        s
    }

    /// Start and end of class 1, then of class 2.
    const ONE_THEN_TWO: [(EventKind, usize); 4] = [
        (EventKind::Start, 1),
        (EventKind::End, 1),
        (EventKind::Start, 2),
        (EventKind::End, 2),
    ];

    fn kinds(events: &[Event]) -> Vec<(EventKind, usize)> {
        events.iter().map(|e| (e.kind, e.class)).collect()
    }

    /// Runs (best class, its score) windows through a tracker; all events, in order.
    fn run(labels: &[(usize, f32)], cfg: EventConfig) -> Vec<Event> {
        let mut t = EventTracker::new(cfg);
        let mut out = Vec::new();
        for (i, &(best, score)) in labels.iter().enumerate() {
            t.on_window(&window(i as u64), best, false, &scores(best, score));
            out.extend(t.drain());
        }
        t.retain_bodies(|_| false);
        out.extend(t.drain());
        out
    }

    #[test]
    fn two_actions_with_stillness_between_give_two_events_in_order() {
        // 10 windows of class 1, 6 of standing still (class 3 at a low score), 10 of class 2.
        let mut labels = vec![(1, 0.6); 10];
        labels.extend(vec![(3, 0.2); 6]);
        labels.extend(vec![(2, 0.7); 10]);
        let e = run(&labels, CFG);
        assert_eq!(kinds(&e), ONE_THEN_TWO);
        // Start: the first window of the run; end: the last window that carried it.
        assert_eq!(
            (e[0].seq_first, e[0].seq_last, e[0].windows),
            (1, 4 * 2 + 64, 3)
        );
        assert_eq!(
            (e[1].seq_first, e[1].seq_last, e[1].windows),
            (1, 4 * 9 + 64, 10)
        );
        assert_eq!(
            (e[2].seq_first, e[3].seq_last, e[3].windows),
            (4 * 16 + 1, 4 * 25 + 64, 10)
        );
        assert!((e[1].score - 0.6).abs() < 1e-6 && (e[3].score - 0.7).abs() < 1e-6);
        assert_eq!(e[1].t_end_us, (4 * 9 + 64) * 33_333);
        assert_eq!(e[0].t_start_us, 33_333);
    }

    #[test]
    fn back_to_back_actions_switch_without_a_gap_event() {
        let mut labels = vec![(1, 0.6); 8];
        labels.extend(vec![(2, 0.6); 8]);
        let e = run(&labels, CFG);
        assert_eq!(kinds(&e), ONE_THEN_TWO);
        // Class 2 starts at its first window (its candidate ran while 1 was ending).
        assert_eq!(e[2].seq_first, 4 * 8 + 1);
        assert_eq!(e[1].seq_last, 4 * 7 + 64);
    }

    #[test]
    fn a_class_set_change_renumbers_events_and_ends_those_of_removed_classes() {
        let mut t = EventTracker::new(CFG);
        for i in 0..5 {
            t.on_window(&window(i), 1, false, &scores(1, 0.6));
        }
        assert_eq!(
            kinds(&t.drain().collect::<Vec<_>>()),
            [(EventKind::Start, 1)]
        );
        // Class 1 moves to index 3: the event goes on under its new index.
        t.remap_classes(|i| Some(if i == 1 { 3 } else { i }));
        assert_eq!(t.drain().count(), 0);
        for i in 5..8 {
            t.on_window(&window(i), 3, false, &scores(3, 0.6));
        }
        assert_eq!(t.drain().count(), 0, "the same event continues");
        // Class 3 is removed: its event ends at once, under its old index.
        t.remap_classes(|i| (i != 3).then_some(i));
        let e: Vec<Event> = t.drain().collect();
        assert_eq!(kinds(&e), [(EventKind::End, 3)]);
        assert_eq!(
            (e[0].seq_first, e[0].seq_last, e[0].windows),
            (1, 4 * 7 + 64, 8)
        );
        t.retain_bodies(|_| false);
        assert_eq!(t.drain().count(), 0, "nothing left open");
    }

    #[test]
    fn flickering_labels_start_nothing() {
        let labels: Vec<(usize, f32)> = (0..60).map(|i| (i % 3, 0.9)).collect();
        assert!(run(&labels, CFG).is_empty());
        // Nor do two-window runs, or confident runs below --event-enter.
        let labels: Vec<(usize, f32)> = (0..60).map(|i| ((i / 2) % 2, 0.9)).collect();
        assert!(run(&labels, CFG).is_empty());
        assert!(run(&vec![(1, 0.3); 30], CFG).is_empty());
    }

    #[test]
    fn short_gaps_merge_and_unknown_windows_never_start_an_event() {
        let mut labels = vec![(1, 0.6); 5];
        labels.extend(vec![(0, 0.2); 2]); // a 2-window dip: shorter than min_windows
        labels.extend(vec![(1, 0.6); 5]);
        let e = run(&labels, CFG);
        assert_eq!(e.len(), 2);
        assert_eq!((e[1].kind, e[1].windows), (EventKind::End, 10));

        let mut t = EventTracker::new(CFG);
        for i in 0..10 {
            t.on_window(&window(i), 1, true, &scores(1, 0.9));
        }
        assert_eq!(t.drain().count(), 0);
    }

    #[test]
    fn still_windows_never_start_an_event_and_end_one_as_a_gap_does() {
        let still = |i: u64| WindowInfo {
            motion: 0.004,
            still: true,
            ..window(i)
        };
        // Confident, steady windows of one class, but nobody moves: no event.
        let mut t = EventTracker::new(CFG);
        for i in 0..20 {
            t.on_window(&still(i), 1, false, &scores(1, 0.9));
        }
        assert_eq!(t.drain().count(), 0);
        // An action, then the performer stands still with the same class still on top: the
        // event ends min_windows still windows later, at the last moving window.
        let mut t = EventTracker::new(CFG);
        let mut e = Vec::new();
        for i in 0..12 {
            let w = if i < 6 { window(i) } else { still(i) };
            t.on_window(&w, 1, false, &scores(1, 0.9));
            e.extend(t.drain());
        }
        assert_eq!(
            kinds(&e),
            [(EventKind::Start, 1), (EventKind::End, 1)],
            "{e:?}"
        );
        assert_eq!((e[1].seq_last, e[1].windows), (4 * 5 + 64, 6));
    }

    #[test]
    fn a_body_that_disappears_ends_its_event_and_others_are_kept_apart() {
        let mut t = EventTracker::new(CFG);
        for i in 0..4 {
            t.on_window(&window(i), 1, false, &scores(1, 0.8));
            let mut other = window(i);
            other.bodies = [Some(9), None];
            t.on_window(&other, 2, false, &scores(2, 0.8));
        }
        let started: Vec<(u64, usize)> = t.drain().map(|e| (e.body, e.class)).collect();
        assert_eq!(started, [(7, 1), (9, 2)]);
        t.retain_bodies(|b| b == 9);
        let ended: Vec<(EventKind, u64)> = t.drain().map(|e| (e.kind, e.body)).collect();
        assert_eq!(ended, [(EventKind::End, 7)]);
        t.reset();
        let ended: Vec<(EventKind, u64)> = t.drain().map(|e| (e.kind, e.body)).collect();
        assert_eq!(ended, [(EventKind::End, 9)]);
    }

    #[test]
    fn configs_are_checked() {
        assert!(EventConfig::default().validate().is_ok());
        let bad = [
            EventConfig {
                enter: 0.2,
                exit: 0.3,
                min_windows: 3,
            },
            EventConfig {
                enter: 1.5,
                exit: 0.3,
                min_windows: 3,
            },
            EventConfig {
                enter: 0.5,
                exit: 0.3,
                min_windows: 0,
            },
        ];
        for c in bad {
            assert!(c.validate().is_err(), "{c:?}");
        }
    }

    #[test]
    fn messages_carry_the_documented_fields() {
        let e = run(&[(1, 0.6); 4], CFG);
        let ids = [10, 11, 12, 13];
        let names: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let start = serde_json::to_value(e[0].message(&ids, &names)).unwrap();
        assert_eq!(start["event"], "start");
        assert_eq!(start["class"]["id"], 11);
        assert_eq!(start["class"]["name"], "b");
        assert!(start.get("t_end_us").is_none());
        let end = serde_json::to_value(e[1].message(&ids, &names)).unwrap();
        assert_eq!(end["event"], "end");
        assert_eq!(end["t_end_us"], (4 * 3 + 64) * 33_333);
        assert_eq!(end["windows"], 4);
    }
}
