//! Physical line numbers of CSV records, which csv reports one line early after a CRLF or a
//! blank line.

use std::collections::VecDeque;
use std::io::Read;

pub(super) type CsvReader<R> = csv::Reader<NewlineTracker<R>>;

/// The physical line on which the record just read starts.
///
/// csv gives each record the position where the previous one ended, which is before the `\n` of
/// a CRLF and before skipped blank lines, so errors would point one line early. Counting back
/// from the record's end is exact: only the newlines inside quoted fields and a final `\n`
/// terminator lie between its first and last line.
pub(super) fn start_line<R: Read>(csv: &mut CsvReader<R>, record: &csv::ByteRecord) -> u64 {
    let end = csv.position().clone();
    let ends_with_newline = end.byte() > 0 && csv.get_mut().is_newline_at(end.byte() - 1);
    let inner = record.as_slice().iter().filter(|&&b| b == b'\n').count() as u64;
    end.line()
        .saturating_sub(u64::from(ends_with_newline) + inner)
        .max(1)
}

/// Remembers the offsets of the newlines read but not yet parsed, so that [`start_line`] can tell
/// whether a record ended on one.
pub(super) struct NewlineTracker<R> {
    inner: R,
    offset: u64,
    newlines: VecDeque<u64>,
}

impl<R> NewlineTracker<R> {
    pub(super) fn new(inner: R) -> Self {
        Self {
            inner,
            offset: 0,
            newlines: VecDeque::new(),
        }
    }

    /// Whether the byte at `offset` is a newline. Forgets earlier newlines: records are parsed in
    /// order, so they will not be asked about again.
    fn is_newline_at(&mut self, offset: u64) -> bool {
        while self.newlines.front().is_some_and(|&at| at < offset) {
            self.newlines.pop_front();
        }
        self.newlines.front() == Some(&offset)
    }
}

impl<R: Read> Read for NewlineTracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or_default();
        let start = self.offset;
        self.newlines.extend(
            read.iter()
                .enumerate()
                .filter(|&(_, &b)| b == b'\n')
                .map(|(i, _)| start + i as u64),
        );
        self.offset += n as u64;
        Ok(n)
    }
}
