//! A search's frontier: a 4-ary min-heap of (cost, node), cheapest first.
//! An entry's four children sit side by side (64 bytes), so taking the
//! cheapest entry goes down half the levels a binary heap does, for about
//! the same memory read a level (std's BinaryHeap measured slower on the
//! path benchmark; a radix heap was no faster, and cannot say which entry
//! comes next without moving entries, which a search wants to know early).

use crate::Node;

/// Costs are never negative, and the bits of non-negative floats order as
/// the floats do, so the heap compares the bits (then the nodes, so that
/// equal costs come out in one order whatever order they went in).
type Key = u64;

#[derive(Default)]
pub(crate) struct Queue {
    entries: Vec<(Key, Node)>,
}

const ARITY: usize = 4;

impl Queue {
    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(crate) fn push(&mut self, cost: f64, node: Node) {
        debug_assert!(cost.is_sign_positive(), "cost {cost}");
        let entry = (cost.to_bits(), node);
        let mut hole = self.entries.len();
        self.entries.push(entry);
        while hole > 0 {
            let parent = (hole - 1) / ARITY;
            if self.entries[parent] <= entry {
                break;
            }
            self.entries[hole] = self.entries[parent];
            hole = parent;
        }
        self.entries[hole] = entry;
    }

    /// The cheapest entry, without taking it.
    pub(crate) fn first(&self) -> Option<(f64, Node)> {
        self.entries
            .first()
            .map(|&(key, node)| (f64::from_bits(key), node))
    }

    /// Takes the cheapest entry.
    pub(crate) fn pop(&mut self) -> Option<(f64, Node)> {
        let last = self.entries.pop()?;
        let Some(&top) = self.entries.first() else {
            return Some((f64::from_bits(last.0), last.1));
        };
        // Sift the last entry down from the root, through the cheapest child.
        let len = self.entries.len();
        let mut hole = 0;
        loop {
            let first_child = hole * ARITY + 1;
            if first_child >= len {
                break;
            }
            let end = (first_child + ARITY).min(len);
            let mut child = first_child;
            for c in first_child + 1..end {
                if self.entries[c] < self.entries[child] {
                    child = c;
                }
            }
            if self.entries[child] >= last {
                break;
            }
            self.entries[hole] = self.entries[child];
            hole = child;
        }
        self.entries[hole] = last;
        Some((f64::from_bits(top.0), top.1))
    }
}

#[cfg(test)]
mod tests {
    use super::Queue;

    #[test]
    fn takes_entries_cheapest_first_whatever_order_they_came_in() {
        let mut queue = Queue::default();
        // A fixed pseudo-random order of costs, some repeated.
        let costs: Vec<f64> = (0..1000u64)
            .map(|i| ((i * 7919) % 613) as f64 / 17.0)
            .collect();
        for (node, &cost) in costs.iter().enumerate() {
            queue.push(cost, node as u32);
            if node % 3 == 0 {
                let (cheapest, _) = queue.first().unwrap();
                let taken = queue.pop().unwrap();
                assert_eq!(taken.0, cheapest);
                assert!(queue.first().is_none_or(|(next, _)| next >= cheapest));
            }
        }
        let mut last = f64::NEG_INFINITY;
        let mut left = queue.len();
        while let Some((cost, node)) = queue.pop() {
            assert!(cost >= last, "{cost} after {last}");
            assert_eq!(costs[node as usize], cost);
            last = cost;
            left -= 1;
        }
        assert_eq!(left, 0);
        assert!(queue.is_empty());
    }
}
