'use strict';
// Preload for the conformance suite (node --require): a server.listen() that names no host binds
// 127.0.0.1 instead of every interface, so the suite's scenario servers (express app.listen(0),
// http.createServer().listen(0)) are reachable from this machine only. Listens that name a host, a
// unix socket path, a handle or a file descriptor are left exactly as they were.
//
// Set MCPAUTH_PRELOAD_HOST to bind another address (for example ::1).

const dns = require('dns');
const net = require('net');

const HOST = process.env.MCPAUTH_PRELOAD_HOST || '127.0.0.1';
const HOST_FAMILY = net.isIP(HOST);
const originalListen = net.Server.prototype.listen;
const originalLookup = dns.lookup;

// A host-less listen() binds before it returns, and the suite relies on that (`app.listen(0)` then
// `server.address().port` on the next line). A listen() with a host resolves it with dns.lookup first,
// which answers on a later tick even for an IP literal, so address() would still be null. While our
// listen() runs, dns.lookup answers our literal host at once, so the bind stays synchronous.
let listening = 0;
dns.lookup = function lookup(hostname, options, callback) {
  if (listening > 0 && HOST_FAMILY !== 0 && hostname === HOST) {
    const done = typeof options === 'function' ? options : callback;
    if (typeof done === 'function') {
      if (options && typeof options === 'object' && options.all) {
        done(null, [{ address: HOST, family: HOST_FAMILY }]); // what Node 22's lookupAndListen asks for
      } else {
        done(null, HOST, HOST_FAMILY);
      }
      return {};
    }
  }
  return originalLookup.apply(this, arguments);
};

function listenOn(server, args) {
  listening++;
  try {
    return originalListen.apply(server, args);
  } finally {
    listening--;
  }
}

function isPort(value) {
  return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));
}

net.Server.prototype.listen = function listen(...args) {
  const first = args[0];

  // listen() / listen(callback): an ephemeral port on every interface.
  if (first === undefined || first === null || typeof first === 'function') {
    const rest = first === undefined || first === null ? args.slice(1) : args;
    return listenOn(this, [{ port: 0, host: HOST }, ...rest.filter((a) => typeof a === 'function')]);
  }

  // listen(port[, host][, backlog][, callback])
  if (isPort(first)) {
    const second = args[1];
    if (second === undefined || second === null) {
      args[1] = HOST;
    } else if (typeof second !== 'string') {
      args.splice(1, 0, HOST); // second is a backlog or the callback
    }
    return listenOn(this, args);
  }

  // listen({ port[, host], ... }[, callback]); not a handle, fd or path.
  if (typeof first === 'object' && !('_handle' in first) && !('fd' in first) && !('handle' in first)
      && first.path === undefined && first.port !== undefined && (first.host === undefined || first.host === null)) {
    args[0] = { ...first, host: HOST };
    return listenOn(this, args);
  }

  return originalListen.apply(this, args);
};
