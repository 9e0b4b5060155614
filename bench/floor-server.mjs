// The bench's "floor" server: a legacy MCP endpoint (initialize, tools/list, tools/call echo; JSON responses) that
// does next to nothing per request, so that what a client costs shows instead of what the fixture's MCP SDK costs
// (the fixture spends 350-400 µs of CPU on a warm call, more than any client here). Not a conforming MCP server:
// no session checks, no SSE, no auth. Started by driver.mjs with --servers floor; prints one ready line
// {"floorJson": url, "admin": url} and stops when its stdin closes. The admin URL answers GET /requests (the
// client port of each request since the last POST /requests/clear), as the fixture's does, for the driver's
// connection counts.
import http from 'node:http';

let requests = [];
const admin = (req, res) => {
  if (req.method === 'POST' && req.url === '/_admin/requests/clear') requests = [];
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(req.method === 'GET' ? JSON.stringify({ requests }) : '{}');
};

const result = (msg) => {
  switch (msg.method) {
    case 'initialize':
      return { protocolVersion: msg.params?.protocolVersion ?? '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'mcpauth-bench-floor', version: '1.0.0' } };
    case 'tools/list':
      return { tools: [{ name: 'echo', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } }] };
    case 'tools/call':
      return { content: [{ type: 'text', text: String(msg.params?.arguments?.message ?? '') }] };
    case 'ping':
      return {};
    default:
      return null;
  }
};

const server = http.createServer((req, res) => {
  if (req.url.startsWith('/_admin/')) { admin(req, res); return; }
  requests.push({ clientPort: req.socket.remotePort });
  if (req.method !== 'POST') { res.writeHead(405, { allow: 'POST' }); res.end(); return; }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let msg;
    try { msg = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400); res.end(); return; }
    const headers = { 'content-type': 'application/json', 'mcp-session-id': 'floor' };
    if (msg.id === undefined) { res.writeHead(202, headers); res.end(); return; }
    const r = result(msg);
    const body = JSON.stringify(r === null
      ? { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: `Method not found: ${msg.method}` } }
      : { jsonrpc: '2.0', id: msg.id, result: r });
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(200, headers);
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  const base = `http://127.0.0.1:${server.address().port}`;
  console.log(JSON.stringify({ floorJson: `${base}/mcp`, admin: `${base}/_admin` }));
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
