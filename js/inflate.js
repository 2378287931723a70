// A small synchronous raw-DEFLATE decoder (RFC 1951), for the classic script:
// the WebAssembly module travels deflated and base64-encoded inside
// scorm-shim.js, which keeps the download close to the size of the gzipped
// .wasm file while still allowing synchronous start-up (DecompressionStream
// is asynchronous). `size` is the inflated length, known at build time.
function scormShimInflate(src, size) {
  var out = new Uint8Array(size);
  var at = 0; // output position
  var inPos = 0;
  var buf = 0; // bit buffer, fewer than 8 bits held between calls
  var cnt = 0;

  function bits(n) {
    while (cnt < n) {
      if (inPos >= src.length) throw new Error("scorm-shim: truncated module data");
      buf |= src[inPos++] << cnt;
      cnt += 8;
    }
    var v = buf & ((1 << n) - 1);
    buf >>>= n;
    cnt -= n;
    return v;
  }

  // Canonical Huffman code: count[len] codes of each length, symbols in code order.
  function table(lengths) {
    var count = new Uint16Array(16);
    var offs = new Uint16Array(16);
    var sym = new Uint16Array(lengths.length);
    var i;
    for (i = 0; i < lengths.length; i++) count[lengths[i]]++;
    count[0] = 0;
    for (i = 1; i < 16; i++) offs[i] = offs[i - 1] + count[i - 1];
    for (i = 0; i < lengths.length; i++) if (lengths[i]) sym[offs[lengths[i]]++] = i;
    return { count: count, sym: sym };
  }

  function decode(t) {
    var code = 0, first = 0, index = 0;
    for (var len = 1; len < 16; len++) {
      code |= bits(1);
      var c = t.count[len];
      if (code - first < c) return t.sym[index + code - first];
      index += c;
      first = (first + c) << 1;
      code <<= 1;
    }
    throw new Error("scorm-shim: corrupt module data");
  }

  // Length and distance bases and extra bits (RFC 1951 §3.2.5), computed.
  var lbase = [], lext = [], dbase = [], dext = [];
  for (var i = 0, b = 3; i < 28; i++) {
    var e = i < 8 ? 0 : (i >> 2) - 1;
    lbase.push(b);
    lext.push(e);
    b += 1 << e;
  }
  lbase.push(258);
  lext.push(0);
  for (i = 0, b = 1; i < 30; i++) {
    e = i < 4 ? 0 : (i >> 1) - 1;
    dbase.push(b);
    dext.push(e);
    b += 1 << e;
  }

  function codes(lit, dist) {
    for (;;) {
      var s = decode(lit);
      if (s < 256) {
        out[at++] = s;
      } else if (s === 256) {
        return;
      } else {
        s -= 257;
        if (s >= 29) throw new Error("scorm-shim: corrupt module data");
        var len = lbase[s] + bits(lext[s]);
        var d = decode(dist);
        if (d >= 30) throw new Error("scorm-shim: corrupt module data");
        var from = at - (dbase[d] + bits(dext[d]));
        if (from < 0 || at + len > size) throw new Error("scorm-shim: corrupt module data");
        while (len--) out[at++] = out[from++];
      }
    }
  }

  var fixedLit = null, fixedDist = null;
  var ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
  var last;
  do {
    last = bits(1);
    var type = bits(2);
    if (type === 0) {
      buf = 0;
      cnt = 0;
      var n = src[inPos] | (src[inPos + 1] << 8);
      inPos += 4;
      if (inPos + n > src.length || at + n > size) throw new Error("scorm-shim: corrupt module data");
      out.set(src.subarray(inPos, inPos + n), at);
      inPos += n;
      at += n;
    } else if (type === 1) {
      if (!fixedLit) {
        var l = new Uint8Array(288);
        for (i = 0; i < 288; i++) l[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
        fixedLit = table(l);
        l = new Uint8Array(30);
        l.fill(5);
        fixedDist = table(l);
      }
      codes(fixedLit, fixedDist);
    } else if (type === 2) {
      var nlen = bits(5) + 257, ndist = bits(5) + 1, ncode = bits(4) + 4;
      var lengths = new Uint8Array(19);
      for (i = 0; i < ncode; i++) lengths[ORDER[i]] = bits(3);
      var lencode = table(lengths);
      lengths = new Uint8Array(nlen + ndist);
      for (i = 0; i < nlen + ndist; ) {
        var sym = decode(lencode);
        if (sym < 16) {
          lengths[i++] = sym;
        } else {
          var rep, val = 0;
          if (sym === 16) {
            if (i === 0) throw new Error("scorm-shim: corrupt module data");
            val = lengths[i - 1];
            rep = 3 + bits(2);
          } else rep = sym === 17 ? 3 + bits(3) : 11 + bits(7);
          if (i + rep > nlen + ndist) throw new Error("scorm-shim: corrupt module data");
          while (rep--) lengths[i++] = val;
        }
      }
      codes(table(lengths.subarray(0, nlen)), table(lengths.subarray(nlen)));
    } else {
      throw new Error("scorm-shim: corrupt module data");
    }
  } while (!last);
  if (at !== size) throw new Error("scorm-shim: corrupt module data");
  return out;
}
