// lapps.js: a browser client for Apogee's LAppS services (CBOR over WebSocket, RFC 8949).
//
//   import { LAppSClient } from "./js/lapps.js";
//   const client = await LAppSClient.connect("ws://" + location.host + "/echo_lapps");
//   const result = await client.call("login", { user: "admin", password: "admin" });
//   client.on(5, message => console.log(message));   // notifications on channel 5
//   client.notify("subscribe", 5, { authkey: result[0].authkey });
//
// Requests are answered in order on channel 0; call() resolves with the result array or rejects
// with the error object ({ code, message }). Server notifications on other channels go to the
// handlers registered with on(cid, handler).

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

// ---- CBOR ----

export function encode(value) {
  const out = [];
  const head = (major, n) => {
    if (n < 24) out.push((major << 5) | n);
    else if (n < 0x100) out.push((major << 5) | 24, n);
    else if (n < 0x10000) out.push((major << 5) | 25, n >> 8, n & 0xff);
    else if (n < 0x100000000) out.push((major << 5) | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    else {
      const hi = Math.floor(n / 0x100000000), lo = n >>> 0;
      out.push((major << 5) | 27, (hi >>> 24) & 0xff, (hi >> 16) & 0xff, (hi >> 8) & 0xff, hi & 0xff,
        (lo >>> 24) & 0xff, (lo >> 16) & 0xff, (lo >> 8) & 0xff, lo & 0xff);
    }
  };
  const item = (v) => {
    if (v === null || v === undefined) out.push(0xf6);
    else if (v === false) out.push(0xf4);
    else if (v === true) out.push(0xf5);
    else if (typeof v === "number") {
      if (Number.isSafeInteger(v)) {
        if (v >= 0) head(0, v); else head(1, -1 - v);
      } else {
        const b = new DataView(new ArrayBuffer(8));
        b.setFloat64(0, v);
        out.push(0xfb);
        for (let i = 0; i < 8; i++) out.push(b.getUint8(i));
      }
    } else if (typeof v === "string") {
      const bytes = encoder.encode(v);
      head(3, bytes.length);
      for (const x of bytes) out.push(x);
    } else if (v instanceof Uint8Array) {
      head(2, v.length);
      for (const x of v) out.push(x);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      v.forEach(item);
    } else if (typeof v === "object") {
      const keys = Object.keys(v).filter(k => v[k] !== undefined);
      head(5, keys.length);
      for (const k of keys) { item(k); item(v[k]); }
    } else {
      throw new TypeError("cannot encode a " + typeof v + " as CBOR");
    }
  };
  item(value);
  return new Uint8Array(out);
}

export function decode(data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n) => { if (at + n > bytes.length) throw new Error("CBOR: unexpected end of data"); };
  const length = (info) => {
    if (info < 24) return info;
    if (info === 24) { need(1); return bytes[at++]; }
    if (info === 25) { need(2); const n = view.getUint16(at); at += 2; return n; }
    if (info === 26) { need(4); const n = view.getUint32(at); at += 4; return n; }
    if (info === 27) { need(8); const n = view.getUint32(at) * 0x100000000 + view.getUint32(at + 4); at += 8; return n; }
    if (info === 31) return -1; // indefinite
    throw new Error("CBOR: bad length");
  };
  const half = (h) => {
    const e = (h >> 10) & 0x1f, f = h & 0x3ff, s = h & 0x8000 ? -1 : 1;
    if (e === 0) return s * f * Math.pow(2, -24);
    if (e === 31) return f ? NaN : s * Infinity;
    return s * (1 + f / 1024) * Math.pow(2, e - 15);
  };
  const item = () => {
    need(1);
    const first = bytes[at++], major = first >> 5, info = first & 31;
    switch (major) {
      case 0: return length(info);
      case 1: return -1 - length(info);
      case 2: case 3: {
        const n = length(info);
        let chunk;
        if (n < 0) {
          const parts = [];
          while (bytes[at] !== 0xff) { const p = item(); parts.push(typeof p === "string" ? encoder.encode(p) : p); }
          at++;
          chunk = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
          let o = 0;
          for (const p of parts) { chunk.set(p, o); o += p.length; }
        } else {
          need(n);
          chunk = bytes.subarray(at, at + n);
          at += n;
        }
        return major === 3 ? decoder.decode(chunk) : chunk.slice();
      }
      case 4: {
        const n = length(info), a = [];
        if (n < 0) { while (bytes[at] !== 0xff) a.push(item()); at++; } else for (let i = 0; i < n; i++) a.push(item());
        return a;
      }
      case 5: {
        const n = length(info), o = {};
        if (n < 0) { while (bytes[at] !== 0xff) { const k = item(); o[k] = item(); } at++; }
        else for (let i = 0; i < n; i++) { const k = item(); o[k] = item(); }
        return o;
      }
      case 6: length(info); return item(); // a tag: keep the tagged value
      default: {
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return null;
        if (info === 25) { need(2); const h = view.getUint16(at); at += 2; return half(h); }
        if (info === 26) { need(4); const f = view.getFloat32(at); at += 4; return f; }
        if (info === 27) { need(8); const d = view.getFloat64(at); at += 8; return d; }
        if (info < 24) return info;
        throw new Error("CBOR: unsupported simple value " + info);
      }
    }
  };
  const value = item();
  if (at !== bytes.length) throw new Error("CBOR: bytes after the value");
  return value;
}

// ---- the LAppS protocol ----

export class LAppSClient {
  constructor(socket) {
    this.socket = socket;
    this.pending = [];          // channel 0 answers come in request order
    this.handlers = new Map();  // cid -> [handler]
    this.closed = new Promise(resolve => {
      socket.addEventListener("close", (e) => {
        for (const p of this.pending.splice(0)) p.reject({ code: e.code, message: "connection closed: " + (e.reason || e.code) });
        resolve({ code: e.code, reason: e.reason });
      });
    });
    socket.addEventListener("message", (e) => this.#receive(e.data));
  }

  /** Opens a connection; resolves with the client once it is open. */
  static connect(url, protocols) {
    return new Promise((resolve, reject) => {
      const socket = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
      socket.binaryType = "arraybuffer";
      socket.addEventListener("open", () => resolve(new LAppSClient(socket)), { once: true });
      socket.addEventListener("error", () => reject(new Error("cannot connect to " + url)), { once: true });
    });
  }

  /** A request: resolves with the result array, rejects with the error object. */
  call(method, ...params) {
    const message = { lapps: 1, method };
    if (params.length) message.params = params;
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.socket.send(encode(message));
    });
  }

  /** A client notification on channel cid (no answer). */
  notify(method, cid, ...params) {
    const message = { lapps: 1, method, cid };
    if (params.length) message.params = params;
    this.socket.send(encode(message));
  }

  /** Calls handler(message array, whole message) for every notification on channel cid. */
  on(cid, handler) {
    if (!this.handlers.has(cid)) this.handlers.set(cid, []);
    this.handlers.get(cid).push(handler);
    return this;
  }

  close(code = 1000, reason = "") {
    this.socket.close(code, reason);
    return this.closed;
  }

  #receive(data) {
    let message;
    try {
      message = decode(data);
    } catch (e) {
      console.error("lapps.js: not CBOR:", e);
      return;
    }
    if (message === null || typeof message !== "object") return;
    if (message.cid === 0 || message.cid === undefined) {
      const p = this.pending.shift();
      if (!p) return;
      if (message.status === 1) p.resolve(message.result);
      else p.reject(message.error || { code: 0, message: "malformed answer" });
    } else {
      for (const h of this.handlers.get(message.cid) || []) h(message.message, message);
    }
  }
}
