// Deno's own WebSocket server (Deno.serve + Deno.upgradeWebSocket), echoing, for the client
// interop tests. Deno's server has no permessage-deflate.
//
//   deno run -A tests/client/servers/deno_native_echo.ts
Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`),
}, (request) => {
  const { socket, response } = Deno.upgradeWebSocket(request);
  socket.onmessage = (event) => socket.send(event.data);
  return response;
});
