//! The decoder of the module inlined in the classic scripts
//! (`pkg/scorm-shim.js`, `pkg/bridge/scorm-shim-bridge.js`): base64, then raw
//! DEFLATE (RFC 1951), built as its own WebAssembly module of a few KB.
//!
//! The classic script must have its API objects before the next script runs,
//! so it cannot use the browser's (asynchronous) DecompressionStream. A
//! decoder in JavaScript runs once per page load, mostly before V8 has
//! optimised it: measured in Chromium it took about 20 ms for the 183 KB
//! module, most of the script's start-up. WebAssembly is compiled before it
//! runs, so this one decodes at compiled speed from its first byte.
//!
//! The decoding is plain safe Rust ([`base64_decode`], [`inflate`]), tested
//! natively and, built, by `tests/js/inflate.test.mjs` against zlib and Zopfli
//! streams. Only the wasm entry points (below) turn the linear memory the
//! script wrote into slices.
#![cfg_attr(target_arch = "wasm32", no_std)]

/// Marks a byte outside the base64 alphabet in [`BASE64`].
const INVALID: u8 = 0xff;

/// The value of each byte as a base64 digit, or [`INVALID`].
static BASE64: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 26 {
        t[b'A' as usize + i] = i as u8;
        t[b'a' as usize + i] = 26 + i as u8;
        i += 1;
    }
    let mut d = 0;
    while d < 10 {
        t[b'0' as usize + d] = 52 + d as u8;
        d += 1;
    }
    t[b'+' as usize] = 62;
    t[b'/' as usize] = 63;
    t
};

/// Decode base64 (standard alphabet, `=` padding) in place; the decoded
/// bytes start at `buf[0]`. Returns their count, or None for a character
/// outside the alphabet or a bad length.
pub fn base64_decode(buf: &mut [u8]) -> Option<usize> {
    // One table lookup per character: the decoder runs once per page load,
    // as V8's baseline code, which does not inline calls; a function with a
    // `match` per character took 7 of the decoder's 25 ms in a Chromium
    // profile.
    let value = |c: u8| match BASE64[c as usize] {
        INVALID => None,
        v => Some(v as u32),
    };
    let mut len = buf.len();
    if len % 4 != 0 {
        return None;
    }
    let mut pad = 0;
    while pad < 2 && len > 0 && buf[len - 1] == b'=' {
        len -= 1;
        pad += 1;
    }
    let mut out = 0;
    let mut i = 0;
    while i + 4 <= len {
        let n = value(buf[i])? << 18 | value(buf[i + 1])? << 12 | value(buf[i + 2])? << 6 | value(buf[i + 3])?;
        buf[out] = (n >> 16) as u8;
        buf[out + 1] = (n >> 8) as u8;
        buf[out + 2] = n as u8;
        out += 3;
        i += 4;
    }
    match len - i {
        0 => {}
        2 => {
            let n = value(buf[i])? << 18 | value(buf[i + 1])? << 12;
            buf[out] = (n >> 16) as u8;
            out += 1;
        }
        3 => {
            let n = value(buf[i])? << 18 | value(buf[i + 1])? << 12 | value(buf[i + 2])? << 6;
            buf[out] = (n >> 16) as u8;
            buf[out + 1] = (n >> 8) as u8;
            out += 2;
        }
        _ => return None,
    }
    Some(out)
}

/// Why a stream could not be decoded.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// The input ended inside the stream.
    Truncated,
    /// Not a valid DEFLATE stream, or it inflates past the output.
    Corrupt,
}

/// Bits of a Huffman code decoded by one table lookup.
const FAST: u32 = 9;

/// A canonical Huffman code: `count[len]` codes of each length, the symbols
/// in code order, and `fast[next FAST bits] = symbol << 4 | length` for the
/// codes of up to FAST bits (0: a longer code, decoded bit by bit).
struct Huffman {
    count: [u16; 16],
    sym: [u16; 288],
    fast: [u16; 1 << FAST],
}

impl Huffman {
    fn new(lengths: &[u8]) -> Result<Huffman, Error> {
        let mut h = Huffman { count: [0; 16], sym: [0; 288], fast: [0; 1 << FAST] };
        if lengths.len() > 288 {
            return Err(Error::Corrupt);
        }
        for &l in lengths {
            h.count[(l & 15) as usize] += 1;
        }
        h.count[0] = 0;
        let mut offs = [0u16; 16];
        for i in 1..16 {
            offs[i] = offs[i - 1] + h.count[i - 1];
        }
        for (s, &l) in lengths.iter().enumerate() {
            if l != 0 {
                let o = &mut offs[(l & 15) as usize];
                h.sym[*o as usize] = s as u16;
                *o += 1;
            }
        }
        // Codes are assigned in (length, symbol) order and sent most
        // significant bit first: the table is indexed by the reversed code.
        let (mut code, mut k) = (0u32, 0usize);
        for l in 1..=FAST {
            for _ in 0..h.count[l as usize] {
                let r = code.reverse_bits() >> (32 - l);
                let mut j = r as usize;
                while j < 1 << FAST {
                    h.fast[j] = h.sym[k] << 4 | l as u16;
                    j += 1 << l;
                }
                k += 1;
                code += 1;
            }
            code <<= 1;
        }
        Ok(h)
    }
}

struct Bits<'a> {
    src: &'a [u8],
    pos: usize,
    buf: u64,
    cnt: u32,
}

impl Bits<'_> {
    /// At least 56 bits in the buffer, unless the input ends first: eight
    /// bytes read at once where there are eight left.
    #[inline(never)]
    fn fill(&mut self) {
        if let Some(b) = self.src.get(self.pos..self.pos + 8) {
            let word = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
            self.buf |= word << self.cnt;
            self.pos += ((63 - self.cnt) >> 3) as usize;
            self.cnt |= 56;
            return;
        }
        while self.cnt <= 56 {
            match self.src.get(self.pos) {
                Some(&b) => {
                    self.buf |= (b as u64) << self.cnt;
                    self.pos += 1;
                    self.cnt += 8;
                }
                None => return,
            }
        }
    }

    #[inline(never)]
    fn take(&mut self, n: u32) -> Result<u32, Error> {
        if self.cnt < n {
            self.fill();
            if self.cnt < n {
                return Err(Error::Truncated);
            }
        }
        let v = (self.buf & ((1u64 << n) - 1)) as u32;
        self.buf >>= n;
        self.cnt -= n;
        Ok(v)
    }

    fn decode(&mut self, h: &Huffman) -> Result<u16, Error> {
        if self.cnt < 15 {
            self.fill();
        }
        let e = h.fast[(self.buf & ((1 << FAST) - 1)) as usize];
        if e != 0 {
            let n = (e & 15) as u32;
            if n > self.cnt {
                return Err(Error::Truncated);
            }
            self.buf >>= n;
            self.cnt -= n;
            return Ok(e >> 4);
        }
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= self.take(1)? as i32;
            let c = h.count[len] as i32;
            if code - first < c {
                return Ok(h.sym[(index + code - first) as usize]);
            }
            index += c;
            first = (first + c) << 1;
            code <<= 1;
        }
        Err(Error::Corrupt)
    }
}

/// Length and distance bases and extra bits (RFC 1951 §3.2.5).
const LBASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEXT: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DBASE: [u16; 30] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DEXT: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/// The order code length code lengths are sent in.
const ORDER: [usize; 19] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/// Inflate the raw DEFLATE stream `src` into `dst`; returns the number of
/// bytes written. Never panics: every index is checked.
pub fn inflate(src: &[u8], dst: &mut [u8]) -> Result<usize, Error> {
    let mut bits = Bits { src, pos: 0, buf: 0, cnt: 0 };
    let mut at = 0usize;
    loop {
        let last = bits.take(1)?;
        match bits.take(2)? {
            0 => {
                // Stored: from the next byte boundary; whole bytes read ahead go back.
                bits.pos -= (bits.cnt / 8) as usize;
                bits.buf = 0;
                bits.cnt = 0;
                let p = bits.pos;
                let head = src.get(p..p + 4).ok_or(Error::Truncated)?;
                let n = (head[0] as usize) | (head[1] as usize) << 8;
                let data = src.get(p + 4..p + 4 + n).ok_or(Error::Truncated)?;
                dst.get_mut(at..at + n).ok_or(Error::Corrupt)?.copy_from_slice(data);
                at += n;
                bits.pos = p + 4 + n;
            }
            1 => {
                let mut l = [0u8; 288];
                for (i, v) in l.iter_mut().enumerate() {
                    *v = if i < 144 { 8 } else if i < 256 { 9 } else if i < 280 { 7 } else { 8 };
                }
                let lit = Huffman::new(&l)?;
                let dist = Huffman::new(&[5; 30])?;
                at = codes(&mut bits, dst, at, &lit, &dist)?;
            }
            2 => {
                let nlen = bits.take(5)? as usize + 257;
                let ndist = bits.take(5)? as usize + 1;
                let ncode = bits.take(4)? as usize + 4;
                let mut lengths = [0u8; 19];
                for &o in &ORDER[..ncode] {
                    lengths[o] = bits.take(3)? as u8;
                }
                let lencode = Huffman::new(&lengths)?;
                let mut all = [0u8; 320];
                let total = nlen + ndist;
                let mut i = 0;
                while i < total {
                    let sym = bits.decode(&lencode)?;
                    if sym < 16 {
                        all[i] = sym as u8;
                        i += 1;
                        continue;
                    }
                    let (rep, val) = match sym {
                        16 => (3 + bits.take(2)? as usize, *all.get(i.wrapping_sub(1)).filter(|_| i > 0).ok_or(Error::Corrupt)?),
                        17 => (3 + bits.take(3)? as usize, 0),
                        _ => (11 + bits.take(7)? as usize, 0),
                    };
                    if i + rep > total {
                        return Err(Error::Corrupt);
                    }
                    all[i..i + rep].fill(val);
                    i += rep;
                }
                let lit = Huffman::new(all.get(..nlen).ok_or(Error::Corrupt)?)?;
                let dist = Huffman::new(all.get(nlen..total).ok_or(Error::Corrupt)?)?;
                at = codes(&mut bits, dst, at, &lit, &dist)?;
            }
            _ => return Err(Error::Corrupt),
        }
        if last == 1 {
            return Ok(at);
        }
    }
}

/// One block's literals and matches, until its end-of-block symbol.
fn codes(bits: &mut Bits, dst: &mut [u8], mut at: usize, lit: &Huffman, dist: &Huffman) -> Result<usize, Error> {
    loop {
        let s = bits.decode(lit)? as usize;
        if s < 256 {
            *dst.get_mut(at).ok_or(Error::Corrupt)? = s as u8;
            at += 1;
        } else if s == 256 {
            return Ok(at);
        } else {
            let s = s - 257;
            let len = *LBASE.get(s).ok_or(Error::Corrupt)? as usize + bits.take(LEXT[s] as u32)? as usize;
            let d = bits.decode(dist)? as usize;
            let back = *DBASE.get(d).ok_or(Error::Corrupt)? as usize + bits.take(DEXT[d] as u32)? as usize;
            if back > at || at + len > dst.len() {
                return Err(Error::Corrupt);
            }
            if back >= len {
                dst.copy_within(at - back..at - back + len, at);
            } else {
                for k in at..at + len {
                    dst[k] = dst[k - back];
                }
            }
            at += len;
        }
    }
}

/// The WebAssembly entry points. The script asks `prepare` for room (the
/// memory grows by whole pages past what the module uses), writes the base64
/// text at the address it returns, and calls `run`, which decodes the text in
/// place and inflates it after it: the module is then at `output()`.
#[cfg(target_arch = "wasm32")]
mod wasm {
    use core::sync::atomic::{AtomicUsize, Ordering};

    static TEXT: AtomicUsize = AtomicUsize::new(0);
    static TEXT_LEN: AtomicUsize = AtomicUsize::new(0);
    static OUT: AtomicUsize = AtomicUsize::new(0);
    static OUT_LEN: AtomicUsize = AtomicUsize::new(0);

    /// Room for `text_len` bytes of base64 and `out_len` bytes of output;
    /// returns where the text goes, or 0 when the memory cannot grow.
    #[no_mangle]
    pub extern "C" fn prepare(text_len: usize, out_len: usize) -> usize {
        let base = core::arch::wasm32::memory_size(0) * 65536;
        let need = text_len + out_len;
        if core::arch::wasm32::memory_grow(0, need.div_ceil(65536)) == usize::MAX {
            return 0;
        }
        TEXT.store(base, Ordering::Relaxed);
        TEXT_LEN.store(text_len, Ordering::Relaxed);
        OUT.store(base + text_len, Ordering::Relaxed);
        OUT_LEN.store(out_len, Ordering::Relaxed);
        base
    }

    /// Decode: the number of bytes inflated, or -1 (bad base64), -2
    /// (truncated), -3 (corrupt).
    #[no_mangle]
    pub extern "C" fn run() -> isize {
        let (text, text_len) = (TEXT.load(Ordering::Relaxed), TEXT_LEN.load(Ordering::Relaxed));
        let (out, out_len) = (OUT.load(Ordering::Relaxed), OUT_LEN.load(Ordering::Relaxed));
        if text == 0 {
            return -1;
        }
        // SAFETY: `prepare` grew the memory past everything the module
        // uses and handed out [text, text + text_len) and [out, out +
        // out_len), which do not overlap; nothing else refers to them.
        #[allow(unsafe_code)]
        let (text, out) = unsafe {
            (core::slice::from_raw_parts_mut(text as *mut u8, text_len), core::slice::from_raw_parts_mut(out as *mut u8, out_len))
        };
        let Some(n) = super::base64_decode(text) else { return -1 };
        match super::inflate(&text[..n], out) {
            Ok(n) => n as isize,
            Err(super::Error::Truncated) => -2,
            Err(super::Error::Corrupt) => -3,
        }
    }

    /// Where the inflated bytes are.
    #[no_mangle]
    pub extern "C" fn output() -> usize {
        OUT.load(Ordering::Relaxed)
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_every_length_and_refuses_bad_text() {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for len in 0..40usize {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let mut text = Vec::new();
            for chunk in data.chunks(3) {
                let n = (chunk[0] as u32) << 16 | (*chunk.get(1).unwrap_or(&0) as u32) << 8 | *chunk.get(2).unwrap_or(&0) as u32;
                for k in 0..4 {
                    text.push(if k <= chunk.len() { alphabet[(n >> (18 - 6 * k)) as usize & 63] } else { b'=' });
                }
            }
            let n = base64_decode(&mut text).unwrap();
            assert_eq!(&text[..n], &data[..]);
        }
        assert_eq!(base64_decode(&mut b"QUJD*A==".to_vec()), None);
        assert_eq!(base64_decode(&mut b"QUJ".to_vec()), None);
    }

    #[test]
    fn stored_and_fixed_blocks() {
        // A stored block: "hi".
        let mut out = [0u8; 2];
        assert_eq!(inflate(&[1, 2, 0, 0xfd, 0xff, b'h', b'i'], &mut out), Ok(2));
        assert_eq!(&out, b"hi");
        // zlib's fixed-Huffman encoding of "aaaaaaaaaa" (a literal and a match).
        let mut out = [0u8; 10];
        assert_eq!(inflate(&[0x4b, 0x4c, 0x84, 0x01, 0x00], &mut out), Ok(10));
        assert_eq!(&out, b"aaaaaaaaaa");
    }

    #[test]
    fn bad_input_is_an_error_never_a_panic() {
        let mut out = [0u8; 64];
        assert_eq!(inflate(&[], &mut out), Err(Error::Truncated));
        assert_eq!(inflate(&[0x07], &mut out), Err(Error::Corrupt)); // block type 3
        // Output too small for the stream.
        assert_eq!(inflate(&[0x4b, 0x4c, 0x84, 0x01, 0x00], &mut out[..4]), Err(Error::Corrupt));
        // Every short input of pseudo-random bytes: an answer, no panic.
        let mut s = 1u32;
        for len in 1..200 {
            let src: Vec<u8> = (0..len).map(|_| { s = s.wrapping_mul(1664525).wrapping_add(1013904223); (s >> 24) as u8 }).collect();
            let _ = inflate(&src, &mut out);
        }
    }
}
