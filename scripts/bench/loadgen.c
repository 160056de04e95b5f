/*
 * loadgen: a small WebSocket load generator for omnisocket's end-to-end
 * benchmark (scripts/bench/run.ts). Written from RFC 6455; one thread, epoll,
 * non-blocking sockets, so that one core of generator can keep one core of
 * server busy.
 *
 *   loadgen echo HOST PORT CONNECTIONS INFLIGHT SIZE text|binary SECONDS WARMUP
 *       every connection keeps INFLIGHT messages of SIZE bytes in flight;
 *       prints {"messages":..,"bytes":..,"seconds":..,"msgs_per_s":..,"mb_per_s":..}
 *   loadgen handshake HOST PORT CONCURRENCY SECONDS
 *       connect, upgrade, close handshake, wait for the server's TCP close,
 *       again; prints {"handshakes":..,"seconds":..,"handshakes_per_s":..}
 *   loadgen handshake-abrupt HOST PORT CONCURRENCY SECONDS
 *       connect, upgrade, read the 101, send a masked close frame, then reset
 *       the TCP connection at once (SO_LINGER 0: RST, no FIN, no waiting for
 *       the server's close), again: clients that vanish; prints as handshake
 *   loadgen fanout HOST PORT CONNECTIONS PUBLISHERS INFLIGHT SIZE text|binary SECONDS WARMUP
 *       every connection is a subscriber (the server broadcasts each message it
 *       receives to every connection, the sender included); the first
 *       PUBLISHERS connections also publish, keeping at most
 *       INFLIGHT * PUBLISHERS publications not yet delivered to every
 *       connection; prints deliveries as "messages" / "msgs_per_s"
 *   loadgen deflate-fanout HOST PORT CONNECTIONS PUBLISHERS INFLIGHT SECONDS WARMUP
 *       fanout with permessage-deflate offered as Chromium does: publishers send
 *       one compressed 2 KiB JSON message; every delivery must arrive compressed
 *       (RSV1), counted without inflating it
 *   loadgen idle HOST PORT COUNT HOLD_SECONDS
 *       opens COUNT connections, prints "ready" once all are upgraded, then
 *       holds them until stdin reaches EOF, SIGTERM, or HOLD_SECONDS pass.
 *   loadgen deflate-echo HOST PORT CONNECTIONS INFLIGHT SECONDS WARMUP
 *       echo of realistic JSON (16 objects of 1-4 KiB with repeated keys)
 *       with permessage-deflate offered as Chromium does; INFLIGHT groups of
 *       16 messages per connection; prints the echo line.
 *   loadgen deflate-idle HOST PORT COUNT MESSAGES HOLD_SECONDS
 *       as idle, after MESSAGES compressed JSON messages went each way on
 *       every connection (permessage-deflate negotiated).
 *   loadgen idle-reset HOST PORT COUNT HOLD_SECONDS
 *       as idle, then resets every connection (SO_LINGER 0) instead of a FIN
 *   loadgen chat-cluster omnisocket|socketio HOST PORT[,PORT...] SUBSCRIBERS PUBLISHERS
 *           INFLIGHT SIZE SECONDS WARMUP
 *       a chat room served by a cluster of nodes: SUBSCRIBERS + PUBLISHERS
 *       connections, round-robin over the ports, all subscribed to one room
 *       (examples/chat.ts's JSON protocol, or Socket.IO's over Engine.IO 4,
 *       scripts/bench/servers/socketio_redis.mjs); every publisher keeps
 *       INFLIGHT publications of SIZE data bytes not yet delivered back to
 *       itself; prints deliveries on every connection as "messages" / "msgs_per_s"
 *   loadgen chat-cluster omnisocket|socketio HOST PORT[,PORT...] SUBSCRIBERS PUBLISHERS
 *           INFLIGHT SIZE SECONDS WARMUP TOPICS
 *       as above over TOPICS rooms ("t0".."t<TOPICS-1>", TOPICS >= PUBLISHERS):
 *       subscriber k (k-th after the publishers) follows room (k / PORTS) mod
 *       TOPICS, so each room's subscribers sit on consecutive ports (every node
 *       when SUBSCRIBERS >= PORTS x TOPICS); publisher j follows the rooms
 *       t = j (mod PUBLISHERS) and publishes to them in turn, paced as above by
 *       its publications delivered back to itself
 *
 * Client frames must be masked (RFC 6455 5.3). The generator masks each frame
 * with one fixed, non-zero key and builds the masked frames once at start, so
 * sending costs a write() and nothing more; unmasking stays the server's job.
 * Echoed payloads are never copied: the parser only walks frame headers and
 * counts payload bytes.
 *
 * The compressed frames are built once with zlib (each message compressed on
 * its own, which every permessage-deflate decoder accepts); echoes are not
 * inflated, only counted.
 *
 * Build: gcc -O2 -o loadgen scripts/bench/loadgen.c -lz
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

/* RFC 6455 section 1.3's sample key and the accept value it must produce. */
#define CLIENT_KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define EXPECTED_ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define MAX_HEAD 4096
#define READ_BUFFER_SIZE (256 * 1024)
/* Handshakes started at once while opening many idle connections: more would
 * overflow the server's accept backlog and stall on SYN retransmits. */
#define MAX_CONNECTING 256

enum mode { MODE_ECHO, MODE_HANDSHAKE, MODE_IDLE, MODE_FANOUT, MODE_CHAT };

enum conn_state {
  ST_CONNECTING,   /* TCP connect in progress */
  ST_HANDSHAKE,    /* request sent, reading the 101 response head */
  ST_OPEN,         /* upgraded */
  ST_CLOSE_SENT,   /* handshake mode: our close frame sent, awaiting server's */
  ST_AWAIT_EOF,    /* handshake mode: close frames exchanged, awaiting TCP FIN */
  ST_DEAD
};

struct conn {
  int fd;
  enum conn_state state;
  /* Response head accumulated until CRLFCRLF. */
  char head[MAX_HEAD];
  size_t head_len;
  size_t request_sent;
  /* Incremental frame parser: header bytes of a frame not complete yet. */
  uint8_t hdr[14];
  size_t hdr_len;
  uint64_t payload_left;
  uint8_t frame_opcode;
  int frame_fin;
  uint64_t message_len;
  uint8_t message_opcode;
  uint8_t message_rsv; /* RSV bits of the message's first frame */
  /* Control-frame payload (<= 125 bytes), kept to answer pings with pongs. */
  uint8_t ctrl[125];
  size_t ctrl_len;
  /* Outgoing: an endless repetition of one prebuilt frame. */
  uint64_t frames_pending;
  size_t frame_offset; /* bytes of the current frame already written */
  int pong_pending;
  uint8_t pong[131];
  size_t pong_len, pong_sent;
  int want_write;
  /* permessage-deflate modes: messages of the current group echoed so far. */
  size_t group_received;
};

static enum mode mode;
/* handshake-abrupt: MODE_HANDSHAKE whose clients reset right after their close frame. */
static int abrupt_close;
/* permessage-deflate modes (deflate-echo, deflate-idle). */
static int deflate_mode, deflate_one_group;
/* deflate-echo: connections stay quiet until every one is open, then all
 * start at once (a server busy compressing for the first ones would
 * otherwise starve the handshakes of the rest). */
static int deflate_hold_sends;
static size_t group_messages;
static size_t groups_done;
static const char *host;
static int port;
static struct sockaddr_in server_addr;
static char request[512];
static size_t request_len;

/* The prebuilt masked frame, repeated `batch_frames` times back to back so
 * several pending frames leave in one write(). */
static uint8_t *batch;
static size_t frame_len, batch_frames;
static uint8_t close_frame[8];
static const uint8_t MASK_KEY[4] = {0x37, 0xfa, 0x21, 0x3d};

static size_t message_size;
static uint8_t message_opcode;
static uint64_t inflight;

static int epfd;
static struct conn *conns;
static size_t nconns;
static uint8_t *readbuf;

static volatile sig_atomic_t stop_requested;

/* Counters for the measured window. */
static uint64_t messages_received, bytes_received, handshakes_done;
static uint64_t errors, size_mismatches, unexpected_closes;
static int counting;

/* Tells the runner (on stderr) when the timed window opens and closes, so it
 * can sample the server's CPU time over exactly that window. */
static void mark_window(const char *what) {
  fprintf(stderr, "window-%s\n", what);
  fflush(stderr);
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void die(const char *message) {
  fprintf(stderr, "loadgen: %s: %s\n", message, strerror(errno));
  exit(1);
}

static void raise_fd_limit(size_t wanted) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur >= wanted) return;
  rl.rlim_cur = wanted < rl.rlim_max ? wanted : rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < wanted) {
    fprintf(stderr, "loadgen: fd limit %llu is below the %zu needed\n",
            (unsigned long long)rl.rlim_cur, wanted);
  }
}

/* Writes a frame header for a masked client frame; returns its length. */
static size_t put_client_header(uint8_t *out, uint8_t opcode, uint64_t length) {
  size_t n = 0;
  out[n++] = 0x80 | opcode; /* FIN, no RSV bits */
  if (length < 126) {
    out[n++] = 0x80 | (uint8_t)length;
  } else if (length <= 0xffff) {
    out[n++] = 0x80 | 126;
    out[n++] = (uint8_t)(length >> 8);
    out[n++] = (uint8_t)length;
  } else {
    out[n++] = 0x80 | 127;
    for (int i = 7; i >= 0; i--) out[n++] = (uint8_t)(length >> (8 * i));
  }
  memcpy(out + n, MASK_KEY, 4);
  return n + 4;
}

static void build_frames(void) {
  uint8_t header[14];
  size_t header_len = put_client_header(header, message_opcode, message_size);
  frame_len = header_len + message_size;
  /* Enough copies for every in-flight frame, but keep the buffer modest. */
  batch_frames = inflight;
  while (batch_frames > 1 && batch_frames * frame_len > 4 * 1024 * 1024) batch_frames--;
  batch = malloc(batch_frames * frame_len);
  if (!batch) die("malloc");
  uint8_t *frame = batch;
  memcpy(frame, header, header_len);
  /* Printable ASCII is valid UTF-8, so text frames pass the server's check. */
  for (size_t i = 0; i < message_size; i++) {
    uint8_t plain = (uint8_t)('a' + i % 26);
    frame[header_len + i] = plain ^ MASK_KEY[i & 3];
  }
  for (size_t i = 1; i < batch_frames; i++) memcpy(batch + i * frame_len, frame, frame_len);
}

static void build_close_frame(void) {
  /* Close with status 1000 (normal closure), masked. */
  size_t n = put_client_header(close_frame, 0x8, 2);
  close_frame[n] = 0x03 ^ MASK_KEY[0];
  close_frame[n + 1] = 0xe8 ^ MASK_KEY[1];
}

static void build_request(void) {
  int n = snprintf(request, sizeof request,
                   "GET / HTTP/1.1\r\n"
                   "Host: %s:%d\r\n"
                   "Upgrade: websocket\r\n"
                   "Connection: Upgrade\r\n"
                   "Sec-WebSocket-Key: " CLIENT_KEY "\r\n"
                   "Sec-WebSocket-Version: 13\r\n"
                   "\r\n",
                   host, port);
  request_len = (size_t)n;
}

static void reset_conn(struct conn *c) {
  int fd = c->fd;
  memset(c, 0, sizeof *c);
  c->fd = fd;
}

static void start_connect(struct conn *c) {
  reset_conn(c);
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) die("socket");
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  c->state = ST_CONNECTING;
  if (connect(c->fd, (struct sockaddr *)&server_addr, sizeof server_addr) != 0 &&
      errno != EINPROGRESS) {
    die("connect");
  }
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                           .data.ptr = c};
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl");
}

static void close_conn(struct conn *c) {
  if (c->fd >= 0) close(c->fd); /* also removes it from the epoll set */
  c->fd = -1;
  c->state = ST_DEAD;
}

static void fail_conn(struct conn *c, const char *why) {
  errors++;
  if (errors <= 5) fprintf(stderr, "loadgen: connection failed: %s\n", why);
  close_conn(c);
}

/* chat-cluster (at the end of the file) hooks into the shared connection code. */
static void chat_on_message(struct conn *c);
static void chat_capture(struct conn *c, const uint8_t *p, size_t n);
static void chat_on_open(struct conn *c);
static int chat_flush(struct conn *c);
static void chat_queue_pong(struct conn *c);

/* Sends the pending bytes: a queued pong first (only between data frames, so
 * it never lands inside one), then pending data frames from the batch. */
static int flush_writes(struct conn *c) {
  if (mode == MODE_CHAT) return chat_flush(c);
  for (;;) {
    if (c->pong_pending && c->frame_offset == 0) {
      ssize_t n = write(c->fd, c->pong + c->pong_sent, c->pong_len - c->pong_sent);
      if (n < 0) return errno == EAGAIN ? 0 : -1;
      c->pong_sent += (size_t)n;
      if (c->pong_sent < c->pong_len) return 0;
      c->pong_pending = 0;
      continue;
    }
    if (c->frames_pending == 0) return 0;
    uint64_t frames = c->frames_pending < batch_frames ? c->frames_pending : batch_frames;
    size_t len = (size_t)frames * frame_len - c->frame_offset;
    ssize_t n = write(c->fd, batch + c->frame_offset, len);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    size_t done = c->frame_offset + (size_t)n;
    c->frames_pending -= done / frame_len;
    c->frame_offset = done % frame_len;
    if ((size_t)n < len) return 0;
  }
}

static void queue_pong(struct conn *c) {
  if (mode == MODE_CHAT) { /* chat frames leave from their own buffer, pongs with them */
    chat_queue_pong(c);
    return;
  }
  if (c->pong_pending) return; /* one answer to the latest ping is enough */
  size_t n = put_client_header(c->pong, 0xA, c->ctrl_len);
  for (size_t i = 0; i < c->ctrl_len; i++) c->pong[n + i] = c->ctrl[i] ^ MASK_KEY[i & 3];
  c->pong_len = n + c->ctrl_len;
  c->pong_sent = 0;
  c->pong_pending = 1;
}

static void on_deflate_message(struct conn *c);
static void fanout_on_message(struct conn *c);

static void on_message(struct conn *c) {
  if (deflate_mode && mode != MODE_FANOUT) {
    on_deflate_message(c);
    return;
  }
  if (mode == MODE_FANOUT) {
    fanout_on_message(c);
    return;
  }
  if (mode == MODE_CHAT) {
    chat_on_message(c);
    return;
  }
  if (mode != MODE_ECHO) return;
  if (c->message_len != message_size || c->message_opcode != message_opcode) size_mismatches++;
  if (counting) {
    messages_received++;
    bytes_received += c->message_len;
  }
  c->frames_pending++;
}

/* Called once a whole frame header is in c->hdr. Returns -1 on a protocol error. */
static int on_frame_header(struct conn *c) {
  uint8_t b0 = c->hdr[0], b1 = c->hdr[1];
  if (b1 & 0x80) return -1; /* servers must not mask */
  /* RSV1 marks a compressed message once permessage-deflate is agreed. */
  if ((b0 & 0x70) && !(deflate_mode && (b0 & 0x70) == 0x40 && (b0 & 0x0f) != 0)) return -1;
  uint64_t len = b1 & 0x7f;
  if (len == 126) {
    len = ((uint64_t)c->hdr[2] << 8) | c->hdr[3];
  } else if (len == 127) {
    len = 0;
    for (int i = 0; i < 8; i++) len = (len << 8) | c->hdr[2 + i];
  }
  c->frame_opcode = b0 & 0x0f;
  c->frame_fin = (b0 & 0x80) != 0;
  c->payload_left = len;
  c->ctrl_len = 0;
  if (c->frame_opcode >= 0x8) {
    if (len > 125 || !c->frame_fin) return -1;
  } else if (c->frame_opcode == 0x1 || c->frame_opcode == 0x2) {
    c->message_opcode = c->frame_opcode;
    c->message_rsv = b0 & 0x70;
    c->message_len = 0;
  } else if (c->frame_opcode != 0x0) {
    return -1;
  }
  return 0;
}

/* Called when a frame's payload is complete. Returns 1 when the connection
 * ended (server close), 0 otherwise. */
static int on_frame_end(struct conn *c) {
  switch (c->frame_opcode) {
    case 0x0:
    case 0x1:
    case 0x2:
      if (c->frame_fin) on_message(c);
      return 0;
    case 0x9: /* ping */
      queue_pong(c);
      return 0;
    case 0xA: /* pong */
      return 0;
    case 0x8: /* close */
      if (c->state == ST_CLOSE_SENT) {
        c->state = ST_AWAIT_EOF;
        return 0;
      }
      unexpected_closes++;
      close_conn(c);
      return 1;
  }
  return 0;
}

/* Feeds received bytes to the frame parser. Returns -1 on protocol error,
 * 1 if the connection was closed, 0 otherwise. */
static int parse_frames(struct conn *c, const uint8_t *p, size_t n) {
  while (n > 0) {
    /* At a frame boundary (no payload left) or inside a header: header bytes. */
    if (c->hdr_len > 0 || c->payload_left == 0) {
      if (c->hdr_len < 2) {
        c->hdr[c->hdr_len++] = *p++;
        n--;
        if (c->hdr_len < 2) continue;
      }
      uint8_t l7 = c->hdr[1] & 0x7f;
      size_t need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + ((c->hdr[1] & 0x80) ? 4 : 0);
      while (c->hdr_len < need && n > 0) {
        c->hdr[c->hdr_len++] = *p++;
        n--;
      }
      if (c->hdr_len < need) return 0;
      c->hdr_len = 0;
      if (on_frame_header(c) != 0) return -1;
      if (c->payload_left == 0) {
        int r = on_frame_end(c);
        if (r) return r;
      }
      continue;
    }
    size_t take = c->payload_left < n ? (size_t)c->payload_left : n;
    if (c->frame_opcode >= 0x8) {
      memcpy(c->ctrl + c->ctrl_len, p, take);
      c->ctrl_len += take;
    } else {
      if (mode == MODE_CHAT) chat_capture(c, p, take);
      c->message_len += take;
    }
    p += take;
    n -= take;
    c->payload_left -= take;
    if (c->payload_left == 0) {
      int r = on_frame_end(c);
      if (r) return r;
    }
  }
  return 0;
}

static int head_has_valid_upgrade(const char *head) {
  if (strncmp(head, "HTTP/1.1 101", 12) != 0) return 0;
  if (deflate_mode && strstr(head, "permessage-deflate") == NULL) return 0;
  /* The accept value is a base64 string no other header would carry. */
  return strstr(head, EXPECTED_ACCEPT) != NULL;
}

static size_t open_count;      /* connections upgraded and open */
static size_t connecting_count;/* connections between connect() and 101 */

static void on_open(struct conn *c) {
  c->state = ST_OPEN;
  open_count++;
  connecting_count--;
  if (mode == MODE_ECHO) {
    c->frames_pending = deflate_hold_sends ? 0 : inflight;
  } else if (mode == MODE_HANDSHAKE) {
    c->state = ST_CLOSE_SENT;
  } else if (mode == MODE_CHAT) {
    chat_on_open(c);
  }
}

/* handshake-abrupt: the close frame is written; drop the connection with a RST
 * (SO_LINGER on, timeout 0) instead of a FIN, and count the handshake. */
static void reset_after_close(struct conn *c) {
  struct linger reset = {.l_onoff = 1, .l_linger = 0};
  setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  if (counting) handshakes_done++;
  close_conn(c);
}

static void handle_readable(struct conn *c) {
  for (;;) {
    ssize_t n = read(c->fd, readbuf, READ_BUFFER_SIZE);
    if (n == 0) {
      if (c->state == ST_AWAIT_EOF) {
        if (counting) handshakes_done++;
        close_conn(c);
        return;
      }
      if (c->state == ST_OPEN) unexpected_closes++;
      fail_conn(c, "server closed the connection");
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN) return;
      fail_conn(c, strerror(errno));
      return;
    }
    const uint8_t *p = readbuf;
    size_t len = (size_t)n;
    if (c->state == ST_HANDSHAKE) {
      size_t room = MAX_HEAD - 1 - c->head_len;
      size_t copy = len < room ? len : room;
      memcpy(c->head + c->head_len, p, copy);
      c->head_len += copy;
      c->head[c->head_len] = 0;
      char *end = strstr(c->head, "\r\n\r\n");
      if (!end) {
        if (c->head_len >= MAX_HEAD - 1) fail_conn(c, "response head too long");
        continue;
      }
      if (!head_has_valid_upgrade(c->head)) {
        char *eol = strstr(c->head, "\r\n");
        if (eol) *eol = 0;
        fail_conn(c, c->head);
        return;
      }
      size_t head_bytes = (size_t)(end + 4 - c->head);
      /* Frame bytes that followed the head in this read. */
      size_t consumed_before = c->head_len - copy;
      size_t used = head_bytes - consumed_before;
      p += used;
      len -= used;
      on_open(c);
      if (mode == MODE_HANDSHAKE) {
        if (write(c->fd, close_frame, sizeof close_frame) != (ssize_t)sizeof close_frame) {
          fail_conn(c, "cannot send close frame");
          return;
        }
        if (abrupt_close) {
          reset_after_close(c);
          return;
        }
      } else if (mode == MODE_ECHO) {
        if (flush_writes(c) < 0) {
          fail_conn(c, "write failed");
          return;
        }
      }
    }
    if (len > 0) {
      if (c->state == ST_AWAIT_EOF) continue; /* nothing may follow a close */
      int r = parse_frames(c, p, len);
      if (r < 0) {
        fail_conn(c, "protocol error in server frames");
        return;
      }
      if (r > 0) return;
      if (mode == MODE_CHAT && chat_flush(c) < 0) {
        fail_conn(c, "write failed");
        return;
      }
      if (c->frames_pending > 0 || c->pong_pending) {
        if (flush_writes(c) < 0) {
          fail_conn(c, "write failed");
          return;
        }
      }
    }
  }
}

static void handle_writable(struct conn *c) {
  if (c->state == ST_CONNECTING) {
    int err = 0;
    socklen_t el = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
    if (err != 0) {
      errno = err;
      fail_conn(c, strerror(err));
      return;
    }
    c->state = ST_HANDSHAKE;
  }
  if (c->state == ST_HANDSHAKE) {
    while (c->request_sent < request_len) {
      ssize_t n = write(c->fd, request + c->request_sent, request_len - c->request_sent);
      if (n < 0) {
        if (errno == EAGAIN) return;
        fail_conn(c, strerror(errno));
        return;
      }
      c->request_sent += (size_t)n;
    }
    return;
  }
  if (c->state == ST_OPEN) {
    if (flush_writes(c) < 0) fail_conn(c, "write failed");
  }
}

static void fanout_pump(void);

static void handle_event(struct conn *c, uint32_t events) {
  if (c->state == ST_DEAD) return;
  if (events & (EPOLLOUT | EPOLLERR)) handle_writable(c);
  if (c->state == ST_DEAD) return;
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) handle_readable(c);
}

/* ---- permessage-deflate (RFC 7692) modes ---- */

static void usage(void);
static void setup_common(const char *h, const char *p, size_t count);
static void run_loop_until(double deadline, int stop_when_all_open);

#define DEFLATE_GROUP 16

/* A JSON object of about `target` bytes with repeated keys, as apps push. */
static size_t build_json(char *out, size_t target, unsigned seed) {
  size_t n = (size_t)sprintf(out, "{\"type\":\"update\",\"seq\":%u,\"items\":[", seed);
  for (unsigned i = 0; n + 160 < target; i++) {
    n += (size_t)sprintf(out + n,
                         "%s{\"id\":%u,\"name\":\"item-%u\",\"price\":%u.%02u,"
                         "\"tags\":[\"blue\",\"sale\"],\"stock\":%u,\"updated\":\"2026-12-01T%02u:%02u:00Z\"}",
                         i ? "," : "", seed * 1000 + i, (seed * 7 + i * 13) % 997,
                         (i * 37 + seed) % 500, (i * 11) % 100, (seed + i * 3) % 90, i % 24,
                         (seed + i) % 60);
  }
  n += (size_t)sprintf(out + n, "]}");
  return n;
}

/* Compresses one message on its own (raw DEFLATE, sync flush, tail removed). */
static size_t deflate_message(const char *in, size_t len, uint8_t *out, size_t room) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) die("deflateInit2");
  z.next_in = (Bytef *)in;
  z.avail_in = (uInt)len;
  z.next_out = out;
  z.avail_out = (uInt)room;
  if (deflate(&z, Z_SYNC_FLUSH) != Z_OK || z.avail_in != 0) die("deflate");
  size_t n = room - z.avail_out;
  deflateEnd(&z);
  if (n < 4) die("deflate output too short");
  return n - 4; /* RFC 7692 7.2.1: without the trailing 00 00 ff ff */
}

/* One batch unit = DEFLATE_GROUP distinct compressed text frames of 1-4 KiB. */
static void build_deflate_frames(void) {
  static const size_t sizes[4] = {1200, 2048, 3072, 4096}; /* each >= 1 KiB, the threshold */
  char json[5000];
  uint8_t packed[8192];
  batch = malloc(DEFLATE_GROUP * (14 + sizeof packed));
  if (!batch) die("malloc");
  frame_len = 0;
  for (unsigned m = 0; m < DEFLATE_GROUP; m++) {
    size_t len = build_json(json, sizes[m % 4], m + 1);
    size_t clen = deflate_message(json, len, packed, sizeof packed);
    uint8_t *frame = batch + frame_len;
    size_t h = put_client_header(frame, 0x1, clen);
    frame[0] |= 0x40; /* RSV1: compressed */
    for (size_t i = 0; i < clen; i++) frame[h + i] = packed[i] ^ MASK_KEY[i & 3];
    frame_len += h + clen;
  }
  batch_frames = 1;
  group_messages = DEFLATE_GROUP;
}

static void build_deflate_request(void) {
  int n = snprintf(request, sizeof request,
                   "GET / HTTP/1.1\r\n"
                   "Host: %s:%d\r\n"
                   "Upgrade: websocket\r\n"
                   "Connection: Upgrade\r\n"
                   "Sec-WebSocket-Key: " CLIENT_KEY "\r\n"
                   "Sec-WebSocket-Version: 13\r\n"
                   "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                   "\r\n",
                   host, port);
  request_len = (size_t)n;
}

static void on_deflate_message(struct conn *c) {
  if (c->message_opcode != 0x1) size_mismatches++;
  if (counting) {
    messages_received++;
    bytes_received += c->message_len;
  }
  if (++c->group_received < group_messages) return;
  c->group_received = 0;
  if (deflate_one_group) groups_done++;
  else c->frames_pending++;
}

/* Every open connection starts its INFLIGHT groups now. */
static void start_deflate_sends(void) {
  deflate_hold_sends = 0;
  for (size_t i = 0; i < nconns; i++) {
    struct conn *c = &conns[i];
    if (c->state != ST_OPEN) continue;
    c->frames_pending = inflight;
    if (flush_writes(c) < 0) fail_conn(c, "write failed");
  }
}

/* Opens `count` connections, at most MAX_CONNECTING at a time; 0 once all are upgraded. */
static int open_all(size_t count, double timeout_seconds) {
  double give_up = now_seconds() + timeout_seconds;
  size_t next = 0;
  while (open_count < count && !stop_requested && now_seconds() < give_up && errors == 0) {
    while (next < count && connecting_count < MAX_CONNECTING) {
      connecting_count++;
      start_connect(&conns[next++]);
    }
    run_loop_until(now_seconds() + 0.01, 1);
  }
  if (open_count == count) return 0;
  fprintf(stderr, "loadgen: only %zu of %zu connections upgraded\n", open_count, count);
  return 1;
}

/* Warm-up, then the timed window in which received messages count; returns its length. */
static double timed_window(double warmup, double seconds) {
  run_loop_until(now_seconds() + warmup, 0);
  counting = 1;
  mark_window("start");
  double start = now_seconds();
  run_loop_until(start + seconds, 0);
  double elapsed = now_seconds() - start;
  mark_window("end");
  return elapsed;
}

/* The echo modes' result line; the exit status says whether anything went wrong. */
static int print_echo_result(size_t count, double elapsed) {
  printf("{\"messages\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"msgs_per_s\":%.1f,"
         "\"mb_per_s\":%.3f,\"connections\":%zu,\"errors\":%llu,\"unexpected_closes\":%llu,"
         "\"size_mismatches\":%llu}\n",
         (unsigned long long)messages_received, (unsigned long long)bytes_received, elapsed,
         messages_received / elapsed, bytes_received / elapsed / 1e6, count,
         (unsigned long long)errors, (unsigned long long)unexpected_closes,
         (unsigned long long)size_mismatches);
  fflush(stdout);
  return errors == 0 && size_mismatches == 0 && unexpected_closes == 0 ? 0 : 1;
}

static int deflate_echo_main(int argc, char **argv) {
  if (argc != 8) usage();
  size_t count = (size_t)atol(argv[4]);
  inflight = (uint64_t)atol(argv[5]);
  double seconds = atof(argv[6]), warmup = atof(argv[7]);
  if (count == 0 || inflight == 0 || seconds <= 0) usage();
  mode = MODE_ECHO;
  deflate_mode = 1;
  deflate_hold_sends = 1;
  setup_common(argv[2], argv[3], count);
  build_deflate_request();
  build_deflate_frames();
  if (open_all(count, 60) != 0) return 1;
  start_deflate_sends();
  double elapsed = timed_window(warmup, seconds);
  return print_echo_result(count, elapsed);
}

static int deflate_idle_main(int argc, char **argv) {
  if (argc != 7) usage();
  size_t count = (size_t)atol(argv[4]);
  size_t messages = (size_t)atol(argv[5]);
  double hold = atof(argv[6]);
  if (count == 0 || messages == 0 || messages > DEFLATE_GROUP) usage();
  mode = MODE_ECHO;
  deflate_mode = 1;
  deflate_one_group = 1;
  inflight = 1;
  setup_common(argv[2], argv[3], count);
  build_deflate_request();
  build_deflate_frames();
  /* Only the first MESSAGES frames of the group are sent, once. */
  size_t keep = 0;
  for (size_t m = 0; m < messages; m++) {
    size_t l7 = batch[keep + 1] & 0x7f;
    size_t h = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + 4;
    size_t plen = l7 == 126 ? ((size_t)batch[keep + 2] << 8 | batch[keep + 3]) : l7;
    keep += h + plen;
  }
  frame_len = keep;
  group_messages = messages;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
  double give_up = now_seconds() + 120;
  size_t next = 0;
  while ((open_count < count || groups_done < count) && !stop_requested) {
    while (next < count && connecting_count < MAX_CONNECTING) {
      connecting_count++;
      start_connect(&conns[next++]);
    }
    if (now_seconds() > give_up || errors > 0) break;
    run_loop_until(now_seconds() + 0.01, 0);
  }
  if (groups_done < count) {
    fprintf(stderr, "loadgen: only %zu of %zu connections exchanged their messages\n",
            groups_done, count);
    return 1;
  }
  printf("ready\n");
  fflush(stdout);
  run_loop_until(now_seconds() + hold, 0);
  return 0;
}

static void usage(void) {
  fprintf(stderr,
          "usage:\n"
          "  loadgen echo HOST PORT CONNECTIONS INFLIGHT SIZE text|binary SECONDS WARMUP\n"
          "  loadgen handshake HOST PORT CONCURRENCY SECONDS\n"
          "  loadgen handshake-abrupt HOST PORT CONCURRENCY SECONDS\n"
          "  loadgen idle HOST PORT COUNT HOLD_SECONDS\n"
          "  loadgen deflate-echo HOST PORT CONNECTIONS INFLIGHT SECONDS WARMUP\n"
          "  loadgen deflate-idle HOST PORT COUNT MESSAGES HOLD_SECONDS\n"
          "  loadgen idle-reset HOST PORT COUNT HOLD_SECONDS\n"
          "  loadgen fanout HOST PORT CONNECTIONS PUBLISHERS INFLIGHT SIZE text|binary SECONDS "
          "WARMUP\n"
          "  loadgen deflate-fanout HOST PORT CONNECTIONS PUBLISHERS INFLIGHT SECONDS WARMUP\n"
          "  loadgen chat-cluster omnisocket|socketio HOST PORT[,PORT...] SUBSCRIBERS PUBLISHERS "
          "INFLIGHT SIZE SECONDS WARMUP [TOPICS]\n");
  exit(2);
}

static void setup_common(const char *h, const char *p, size_t count) {
  host = h;
  port = atoi(p);
  memset(&server_addr, 0, sizeof server_addr);
  server_addr.sin_family = AF_INET;
  server_addr.sin_port = htons((uint16_t)port);
  if (inet_pton(AF_INET, host, &server_addr.sin_addr) != 1) {
    fprintf(stderr, "loadgen: HOST must be an IPv4 address\n");
    exit(2);
  }
  build_request();
  build_close_frame();
  raise_fd_limit(count + 64);
  epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0) die("epoll_create1");
  readbuf = malloc(READ_BUFFER_SIZE);
  nconns = count;
  conns = calloc(count, sizeof *conns);
  if (!readbuf || !conns) die("malloc");
  for (size_t i = 0; i < count; i++) conns[i].fd = -1, conns[i].state = ST_DEAD;
  signal(SIGPIPE, SIG_IGN);
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
}

#define MAX_EVENTS 512

/* Runs the event loop until `deadline` (monotonic seconds) or a stop. */
static void run_loop_until(double deadline, int stop_when_all_open) {
  struct epoll_event events[MAX_EVENTS];
  while (!stop_requested) {
    double left = deadline - now_seconds();
    if (left <= 0) return;
    if (stop_when_all_open && open_count == nconns) return;
    int timeout_ms = left > 0.05 ? 50 : (int)(left * 1000) + 1;
    int n = epoll_wait(epfd, events, MAX_EVENTS, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("epoll_wait");
    }
    for (int i = 0; i < n; i++) {
      struct conn *c = events[i].data.ptr;
      if (c == NULL) { /* stdin */
        char tmp[256];
        ssize_t r = read(STDIN_FILENO, tmp, sizeof tmp);
        if (r <= 0) stop_requested = 1;
        continue;
      }
      handle_event(c, events[i].events);
    }
    if (mode == MODE_FANOUT) fanout_pump();
    if (mode == MODE_HANDSHAKE) {
      /* Replace every finished connection at once: constant concurrency. */
      for (size_t i = 0; i < nconns; i++) {
        if (conns[i].state == ST_DEAD) {
          connecting_count++;
          start_connect(&conns[i]);
        }
      }
    }
  }
}

static int echo_main(int argc, char **argv) {
  if (argc != 10) usage();
  size_t count = (size_t)atol(argv[4]);
  inflight = (uint64_t)atol(argv[5]);
  message_size = (size_t)atol(argv[6]);
  if (strcmp(argv[7], "text") == 0) message_opcode = 0x1;
  else if (strcmp(argv[7], "binary") == 0) message_opcode = 0x2;
  else usage();
  double seconds = atof(argv[8]), warmup = atof(argv[9]);
  if (count == 0 || inflight == 0 || seconds <= 0) usage();
  mode = MODE_ECHO;
  setup_common(argv[2], argv[3], count);
  build_frames();
  for (size_t i = 0; i < count; i++) {
    connecting_count++;
    start_connect(&conns[i]);
  }
  run_loop_until(now_seconds() + 10, 1);
  if (open_count != count) {
    fprintf(stderr, "loadgen: only %zu of %zu connections upgraded\n", open_count, count);
    return 1;
  }
  double elapsed = timed_window(warmup, seconds);
  return print_echo_result(count, elapsed);
}

static int handshake_main(int argc, char **argv) {
  if (argc != 6) usage();
  size_t count = (size_t)atol(argv[4]);
  double seconds = atof(argv[5]);
  if (count == 0 || seconds <= 0) usage();
  mode = MODE_HANDSHAKE;
  setup_common(argv[2], argv[3], count);
  for (size_t i = 0; i < count; i++) {
    connecting_count++;
    start_connect(&conns[i]);
  }
  /* A short warmup lets the server's JIT see the handshake path first. */
  double warm = seconds / 5 < 1 ? seconds / 5 : 1;
  run_loop_until(now_seconds() + warm, 0);
  counting = 1;
  errors = 0;
  mark_window("start");
  double start = now_seconds();
  run_loop_until(start + seconds, 0);
  double elapsed = now_seconds() - start;
  mark_window("end");
  printf("{\"handshakes\":%llu,\"seconds\":%.3f,\"handshakes_per_s\":%.1f,"
         "\"concurrency\":%zu,\"errors\":%llu}\n",
         (unsigned long long)handshakes_done, elapsed, handshakes_done / elapsed, count,
         (unsigned long long)errors);
  fflush(stdout);
  return errors == 0 ? 0 : 1;
}

/* idle-reset: every open connection leaves with a RST, as clients that vanish. */
static void reset_all(void) {
  struct linger reset = {.l_onoff = 1, .l_linger = 0};
  for (size_t i = 0; i < nconns; i++) {
    if (conns[i].fd < 0) continue;
    setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close_conn(&conns[i]);
  }
}

static int idle_main(int argc, char **argv) {
  if (argc != 6) usage();
  size_t count = (size_t)atol(argv[4]);
  double hold = atof(argv[5]);
  if (count == 0) usage();
  mode = MODE_IDLE;
  setup_common(argv[2], argv[3], count);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epfd, EPOLL_CTL_ADD, STDIN_FILENO, &ev);
  if (open_all(count, 60) != 0) return 1;
  printf("ready\n");
  fflush(stdout);
  run_loop_until(now_seconds() + hold, 0);
  if (abrupt_close) reset_all();
  return 0;
}

/* Fan-out: deliveries of broadcast messages, and the publishers' window. */
static size_t fanout_publishers;
static uint64_t fanout_published, fanout_delivered, fanout_window;
static size_t fanout_next;

static void fanout_on_message(struct conn *c) {
  if (deflate_mode) {
    /* deflate-fanout: every delivery must come compressed (RSV1), as text. */
    if (c->message_rsv != 0x40 || c->message_opcode != 0x1) size_mismatches++;
  } else if (c->message_len != message_size || c->message_opcode != message_opcode) {
    size_mismatches++;
  }
  fanout_delivered++;
  if (counting) {
    messages_received++;
    bytes_received += c->message_len;
  }
}

/* Queues publications, round-robin over the publishers, while fewer than
 * fanout_window of them are still on their way to some connection: the
 * server is kept busy without queues growing without bound. */
static void fanout_pump(void) {
  if (open_count != nconns) return;
  uint64_t receivers = nconns;
  size_t tried = 0;
  while (fanout_published * receivers < fanout_delivered + fanout_window * receivers &&
         tried < fanout_publishers) {
    struct conn *c = &conns[fanout_next];
    fanout_next = (fanout_next + 1) % fanout_publishers;
    if (c->state != ST_OPEN) {
      tried++;
      continue;
    }
    tried = 0;
    c->frames_pending++;
    fanout_published++;
    if (flush_writes(c) < 0) fail_conn(c, "write failed");
  }
}

/* The fan-out run itself, once the mode's frames are built. */
static int fanout_run(size_t count, double seconds, double warmup) {
  if (open_all(count, 30) != 0) return 1;
  /* Subscriptions are made on open, server side: give the last ones a moment. */
  run_loop_until(now_seconds() + 0.2, 0);
  fanout_pump();
  double elapsed = timed_window(warmup, seconds);
  printf("{\"messages\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"msgs_per_s\":%.1f,"
         "\"mb_per_s\":%.3f,\"connections\":%zu,\"publishers\":%zu,\"published\":%llu,"
         "\"errors\":%llu,\"unexpected_closes\":%llu,\"size_mismatches\":%llu}\n",
         (unsigned long long)messages_received, (unsigned long long)bytes_received, elapsed,
         messages_received / elapsed, bytes_received / elapsed / 1e6, count, fanout_publishers,
         (unsigned long long)fanout_published, (unsigned long long)errors,
         (unsigned long long)unexpected_closes, (unsigned long long)size_mismatches);
  fflush(stdout);
  return errors == 0 && size_mismatches == 0 && unexpected_closes == 0 ? 0 : 1;
}

static int fanout_main(int argc, char **argv) {
  if (argc != 11) usage();
  size_t count = (size_t)atol(argv[4]);
  fanout_publishers = (size_t)atol(argv[5]);
  inflight = (uint64_t)atol(argv[6]);
  message_size = (size_t)atol(argv[7]);
  if (strcmp(argv[8], "text") == 0) message_opcode = 0x1;
  else if (strcmp(argv[8], "binary") == 0) message_opcode = 0x2;
  else usage();
  double seconds = atof(argv[9]), warmup = atof(argv[10]);
  if (count == 0 || fanout_publishers == 0 || fanout_publishers > count || inflight == 0 ||
      seconds <= 0) {
    usage();
  }
  fanout_window = inflight * fanout_publishers;
  mode = MODE_FANOUT;
  setup_common(argv[2], argv[3], count);
  build_frames();
  return fanout_run(count, seconds, warmup);
}

/* deflate-fanout: one compressed 2 KiB JSON message, published again and again. */
static int deflate_fanout_main(int argc, char **argv) {
  if (argc != 9) usage();
  size_t count = (size_t)atol(argv[4]);
  fanout_publishers = (size_t)atol(argv[5]);
  inflight = (uint64_t)atol(argv[6]);
  double seconds = atof(argv[7]), warmup = atof(argv[8]);
  if (count == 0 || fanout_publishers == 0 || fanout_publishers > count || inflight == 0 ||
      seconds <= 0) {
    usage();
  }
  fanout_window = inflight * fanout_publishers;
  mode = MODE_FANOUT;
  deflate_mode = 1;
  setup_common(argv[2], argv[3], count);
  build_deflate_request();
  /* The second message of the deflate group is the 2 KiB one: keep only it. */
  build_deflate_frames();
  size_t at = 0;
  for (int m = 0; m < 2; m++) {
    size_t l7 = batch[at + 1] & 0x7f;
    size_t h = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + 4;
    size_t plen = l7 == 126 ? ((size_t)batch[at + 2] << 8 | batch[at + 3]) : l7;
    if (m == 1) {
      memmove(batch, batch + at, h + plen);
      frame_len = h + plen;
    }
    at += h + plen;
  }
  batch_frames = 1;
  return fanout_run(count, seconds, warmup);
}

/* ---- chat-cluster: one room on a cluster of chat servers ---- */

/* Enough of each message's start to tell its kind and its publisher's tag. */
#define CHAT_PREFIX 96
#define CHAT_MAX_PORTS 16

enum chat_dialect { DIALECT_OMNISOCKET, DIALECT_SOCKETIO };
enum chat_phase { CHAT_OPENING, CHAT_SUBSCRIBING, CHAT_READY };

/* Per connection, beside struct conn (indexed alike): the frames to send go
 * through a growable buffer, since replies depend on what was received. */
struct chat_conn {
  enum chat_phase phase;
  uint8_t prefix[CHAT_PREFIX];
  uint8_t *out;
  size_t out_len, out_sent, out_cap;
  /* Publishers only (index < chat_publishers): the prebuilt publish frame. */
  uint8_t *publish_frame;
  size_t publish_len;
  uint64_t published, echoed;
  /* Subscriptions not yet acknowledged; publishers over TOPICS: next of their rooms. */
  size_t awaiting, next_topic;
};

static enum chat_dialect chat_dialect;
static struct chat_conn *chats;
static size_t chat_publishers, chat_ready;
static int chat_publishing;
static uint64_t chat_delivered, chat_unexpected;
/* Masked frames every connection sends alike. */
static uint8_t chat_subscribe_frame[128], chat_connect_frame[16], chat_pong_frame[16];
static size_t chat_subscribe_len, chat_connect_len, chat_pong_len;

/* TOPICS mode (chat_topics > 0): one masked subscribe and publish frame per room (room t's
 * publish frame carries publisher t mod PUBLISHERS's tag). 0: every connection on "room". */
static size_t chat_topics, chat_nports;
static uint8_t **chat_topic_subscribe, **chat_topic_publish;
static size_t *chat_topic_subscribe_len, *chat_topic_publish_len;

static struct chat_conn *chat_of(struct conn *c) { return &chats[c - conns]; }

/* A masked text frame of `text` into `out`; returns its length. */
static size_t chat_text_frame(uint8_t *out, const char *text, size_t len) {
  size_t h = put_client_header(out, 0x1, len);
  for (size_t i = 0; i < len; i++) out[h + i] = (uint8_t)text[i] ^ MASK_KEY[i & 3];
  return h + len;
}

static void chat_append(struct conn *c, const uint8_t *bytes, size_t len) {
  struct chat_conn *chat = chat_of(c);
  if (chat->out_sent == chat->out_len) chat->out_sent = chat->out_len = 0;
  if (chat->out_len + len > chat->out_cap) {
    size_t cap = chat->out_cap ? chat->out_cap : 1024;
    while (cap < chat->out_len + len) cap *= 2;
    chat->out = realloc(chat->out, cap);
    if (!chat->out) die("realloc");
    chat->out_cap = cap;
  }
  memcpy(chat->out + chat->out_len, bytes, len);
  chat->out_len += len;
}

/* Writes what the buffer holds; the rest waits for EPOLLOUT. */
static int chat_flush(struct conn *c) {
  struct chat_conn *chat = chat_of(c);
  while (chat->out_sent < chat->out_len) {
    ssize_t n = write(c->fd, chat->out + chat->out_sent, chat->out_len - chat->out_sent);
    if (n < 0) return errno == EAGAIN ? 0 : -1;
    chat->out_sent += (size_t)n;
  }
  chat->out_sent = chat->out_len = 0;
  return 0;
}

static void chat_queue_pong(struct conn *c) {
  uint8_t pong[131];
  size_t n = put_client_header(pong, 0xA, c->ctrl_len);
  for (size_t i = 0; i < c->ctrl_len; i++) pong[n + i] = c->ctrl[i] ^ MASK_KEY[i & 3];
  chat_append(c, pong, n + c->ctrl_len);
}

static void chat_capture(struct conn *c, const uint8_t *p, size_t n) {
  if (c->message_len >= CHAT_PREFIX) return;
  size_t room = CHAT_PREFIX - (size_t)c->message_len;
  memcpy(chat_of(c)->prefix + c->message_len, p, n < room ? n : room);
}

static void chat_subscribe(struct conn *c) {
  struct chat_conn *chat = chat_of(c);
  size_t index = (size_t)(c - conns);
  if (chat_topics == 0) {
    chat_append(c, chat_subscribe_frame, chat_subscribe_len);
    chat->awaiting = 1;
  } else if (index < chat_publishers) {
    for (size_t t = index; t < chat_topics; t += chat_publishers) {
      chat_append(c, chat_topic_subscribe[t], chat_topic_subscribe_len[t]);
      chat->awaiting++;
    }
  } else {
    size_t t = ((index - chat_publishers) / chat_nports) % chat_topics;
    chat_append(c, chat_topic_subscribe[t], chat_topic_subscribe_len[t]);
    chat->awaiting = 1;
  }
  /* Socket.IO acknowledges no join: a subscriber counts as ready once asked. */
  chat->phase = chat_dialect == DIALECT_SOCKETIO ? CHAT_READY : CHAT_SUBSCRIBING;
  if (chat->phase == CHAT_READY) chat_ready++;
}

static void chat_on_open(struct conn *c) {
  /* Socket.IO first waits for Engine.IO's open packet. */
  if (chat_dialect == DIALECT_OMNISOCKET) {
    chat_subscribe(c);
    chat_flush(c); /* a failed write shows up as a failed read next */
  }
}

/* Publishes while this publisher has fewer than INFLIGHT publications not yet back. */
static void chat_fill(struct conn *c) {
  struct chat_conn *chat = chat_of(c);
  size_t index = (size_t)(c - conns);
  while (chat_publishing && chat->published - chat->echoed < inflight) {
    if (chat_topics == 0) {
      chat_append(c, chat->publish_frame, chat->publish_len);
    } else {
      size_t t = index + chat->next_topic * chat_publishers;
      chat_append(c, chat_topic_publish[t], chat_topic_publish_len[t]);
      if (t + chat_publishers >= chat_topics) chat->next_topic = 0;
      else chat->next_topic++;
    }
    chat->published++;
  }
}

static int chat_starts(const uint8_t *prefix, size_t len, const char *text) {
  size_t n = strlen(text);
  return len >= n && memcmp(prefix, text, n) == 0;
}

/* The publisher index tagged in a delivered message's data ("p<INDEX>-..."), or -1. */
static long chat_publisher_tag(const uint8_t *prefix, size_t len) {
  static const char key[] = "\"data\":\"p";
  const uint8_t *at = memmem(prefix, len, key, sizeof key - 1);
  if (!at) return -1;
  const uint8_t *p = at + sizeof key - 1, *end = prefix + len;
  long tag = 0;
  if (p >= end || *p < '0' || *p > '9') return -1;
  while (p < end && *p >= '0' && *p <= '9') tag = tag * 10 + (*p++ - '0');
  return p < end && *p == '-' ? tag : -1;
}

static void chat_on_delivery(struct conn *c, size_t len) {
  chat_delivered++;
  if (counting) {
    messages_received++;
    bytes_received += c->message_len;
  }
  size_t index = (size_t)(c - conns);
  if (index >= chat_publishers) return;
  if (chat_publisher_tag(chat_of(c)->prefix, len) == (long)index) {
    chat_of(c)->echoed++;
    chat_fill(c);
  }
}

static void chat_on_message(struct conn *c) {
  struct chat_conn *chat = chat_of(c);
  size_t len = c->message_len < CHAT_PREFIX ? (size_t)c->message_len : CHAT_PREFIX;
  const uint8_t *m = chat->prefix;
  if (c->message_opcode != 0x1) {
    size_mismatches++;
    return;
  }
  if (chat_dialect == DIALECT_OMNISOCKET) {
    if (chat_starts(m, len, "{\"type\":\"message\"")) {
      chat_on_delivery(c, len);
    } else if (chat_starts(m, len, "{\"type\":\"subscribed\"") && chat->phase == CHAT_SUBSCRIBING) {
      if (--chat->awaiting == 0) {
        chat->phase = CHAT_READY;
        chat_ready++;
      }
    } else {
      if (++chat_unexpected <= 5) fprintf(stderr, "loadgen: unexpected: %.*s\n", (int)len, m);
    }
    return;
  }
  /* Engine.IO 4 / Socket.IO 5 text packets. */
  if (chat_starts(m, len, "42[\"message\"")) {
    chat_on_delivery(c, len);
  } else if (len == 1 && m[0] == '2') { /* Engine.IO ping */
    chat_append(c, chat_pong_frame, chat_pong_len);
  } else if (chat_starts(m, len, "0{") && chat->phase == CHAT_OPENING) {
    chat_append(c, chat_connect_frame, chat_connect_len); /* Socket.IO connect, main namespace */
  } else if (chat_starts(m, len, "40") && chat->phase == CHAT_OPENING) {
    chat_subscribe(c);
  } else {
    if (++chat_unexpected <= 5) fprintf(stderr, "loadgen: unexpected: %.*s\n", (int)len, m);
  }
}

static void chat_build_frames(const char *topic, size_t size) {
  char text[128];
  int n;
  if (chat_dialect == DIALECT_OMNISOCKET) {
    n = snprintf(text, sizeof text, "{\"type\":\"subscribe\",\"topic\":\"%s\"}", topic);
  } else {
    n = snprintf(text, sizeof text, "42[\"subscribe\",\"%s\"]", topic);
  }
  chat_subscribe_len = chat_text_frame(chat_subscribe_frame, text, (size_t)n);
  chat_connect_len = chat_text_frame(chat_connect_frame, "40", 2);
  chat_pong_len = chat_text_frame(chat_pong_frame, "3", 1);
  /* Every publisher's data: "p<INDEX>-" then letters, SIZE bytes in all. */
  char *body = malloc(size + 256);
  if (!body) die("malloc");
  for (size_t i = 0; i < chat_publishers; i++) {
    struct chat_conn *chat = &chats[i];
    int head = chat_dialect == DIALECT_OMNISOCKET
                   ? sprintf(body, "{\"type\":\"publish\",\"topic\":\"%s\",\"data\":\"p%zu-", topic, i)
                   : sprintf(body, "42[\"publish\",{\"topic\":\"%s\",\"data\":\"p%zu-", topic, i);
    size_t tag = (size_t)snprintf(NULL, 0, "p%zu-", i);
    size_t len = (size_t)head;
    for (size_t k = tag; k < size; k++) body[len++] = (char)('a' + k % 26);
    len += (size_t)sprintf(body + len, chat_dialect == DIALECT_OMNISOCKET ? "\"}" : "\"}]");
    chat->publish_frame = malloc(len + 14);
    if (!chat->publish_frame) die("malloc");
    chat->publish_len = chat_text_frame(chat->publish_frame, body, len);
  }
  free(body);
}

/* TOPICS mode: room t's subscribe frame and publish frame (publisher t mod PUBLISHERS's tag). */
static void chat_build_topic_frames(size_t size) {
  chat_topic_subscribe = calloc(chat_topics, sizeof *chat_topic_subscribe);
  chat_topic_publish = calloc(chat_topics, sizeof *chat_topic_publish);
  chat_topic_subscribe_len = calloc(chat_topics, sizeof *chat_topic_subscribe_len);
  chat_topic_publish_len = calloc(chat_topics, sizeof *chat_topic_publish_len);
  char *body = malloc(size + 256);
  if (!chat_topic_subscribe || !chat_topic_publish || !chat_topic_subscribe_len ||
      !chat_topic_publish_len || !body) {
    die("malloc");
  }
  for (size_t t = 0; t < chat_topics; t++) {
    char text[128];
    int n = chat_dialect == DIALECT_OMNISOCKET
                ? snprintf(text, sizeof text, "{\"type\":\"subscribe\",\"topic\":\"t%zu\"}", t)
                : snprintf(text, sizeof text, "42[\"subscribe\",\"t%zu\"]", t);
    chat_topic_subscribe[t] = malloc((size_t)n + 14);
    if (!chat_topic_subscribe[t]) die("malloc");
    chat_topic_subscribe_len[t] = chat_text_frame(chat_topic_subscribe[t], text, (size_t)n);
    size_t publisher = t % chat_publishers;
    int head = chat_dialect == DIALECT_OMNISOCKET
                   ? sprintf(body, "{\"type\":\"publish\",\"topic\":\"t%zu\",\"data\":\"p%zu-", t,
                             publisher)
                   : sprintf(body, "42[\"publish\",{\"topic\":\"t%zu\",\"data\":\"p%zu-", t, publisher);
    size_t tag = (size_t)snprintf(NULL, 0, "p%zu-", publisher);
    size_t len = (size_t)head;
    for (size_t k = tag; k < size; k++) body[len++] = (char)('a' + k % 26);
    len += (size_t)sprintf(body + len, chat_dialect == DIALECT_OMNISOCKET ? "\"}" : "\"}]");
    chat_topic_publish[t] = malloc(len + 14);
    if (!chat_topic_publish[t]) die("malloc");
    chat_topic_publish_len[t] = chat_text_frame(chat_topic_publish[t], body, len);
  }
  free(body);
}

static void chat_build_request(const char *path) {
  int n = snprintf(request, sizeof request,
                   "GET %s HTTP/1.1\r\n"
                   "Host: %s:%d\r\n"
                   "Upgrade: websocket\r\n"
                   "Connection: Upgrade\r\n"
                   "Sec-WebSocket-Key: " CLIENT_KEY "\r\n"
                   "Sec-WebSocket-Version: 13\r\n"
                   "\r\n",
                   path, host, port);
  request_len = (size_t)n;
}

static int chat_main(int argc, char **argv) {
  if (argc != 11 && argc != 12) usage();
  if (strcmp(argv[2], "omnisocket") == 0) chat_dialect = DIALECT_OMNISOCKET;
  else if (strcmp(argv[2], "socketio") == 0) chat_dialect = DIALECT_SOCKETIO;
  else usage();
  uint16_t ports[CHAT_MAX_PORTS];
  size_t nports = 0;
  for (char *list = strdup(argv[4]), *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
    if (nports == CHAT_MAX_PORTS || atoi(tok) <= 0) usage();
    ports[nports++] = (uint16_t)atoi(tok);
  }
  size_t subscribers = (size_t)atol(argv[5]);
  chat_publishers = (size_t)atol(argv[6]);
  inflight = (uint64_t)atol(argv[7]);
  size_t size = (size_t)atol(argv[8]);
  double seconds = atof(argv[9]), warmup = atof(argv[10]);
  chat_nports = nports;
  if (argc == 12) {
    chat_topics = (size_t)atol(argv[11]);
    if (chat_topics == 0 || chat_topics < chat_publishers) usage();
  }
  if (nports == 0 || chat_publishers == 0 || inflight == 0 || size < 16 || size > 60000 ||
      seconds <= 0) {
    usage();
  }
  size_t count = subscribers + chat_publishers;
  mode = MODE_CHAT;
  char first_port[8];
  snprintf(first_port, sizeof first_port, "%u", ports[0]);
  setup_common(argv[3], first_port, count);
  chats = calloc(count, sizeof *chats);
  if (!chats) die("calloc");
  chat_build_request(chat_dialect == DIALECT_OMNISOCKET ? "/"
                                                        : "/socket.io/?EIO=4&transport=websocket");
  chat_build_frames("room", size);
  if (chat_topics > 0) chat_build_topic_frames(size);
  /* Connection i goes to port i mod N: publishers first, so they land on every node. */
  double give_up = now_seconds() + 60;
  size_t next = 0;
  while (open_count < count && !stop_requested && now_seconds() < give_up && errors == 0) {
    while (next < count && connecting_count < MAX_CONNECTING) {
      server_addr.sin_port = htons(ports[next % nports]);
      connecting_count++;
      start_connect(&conns[next++]);
    }
    run_loop_until(now_seconds() + 0.01, 1);
  }
  while (chat_ready < count && !stop_requested && now_seconds() < give_up && errors == 0) {
    run_loop_until(now_seconds() + 0.01, 0);
  }
  if (chat_ready != count) {
    fprintf(stderr, "loadgen: only %zu of %zu connections upgraded and subscribed\n", chat_ready,
            count);
    return 1;
  }
  /* Socket.IO's joins are not acknowledged: give the last ones a moment to land (and, over
   * many rooms, their servers' subscriptions on the broker). */
  run_loop_until(now_seconds() + (chat_topics > 0 && chat_dialect == DIALECT_SOCKETIO ? 2 : 0.3),
                 0);
  chat_publishing = 1;
  for (size_t i = 0; i < chat_publishers; i++) {
    chat_fill(&conns[i]);
    if (chat_flush(&conns[i]) < 0) fail_conn(&conns[i], "write failed");
  }
  double elapsed = timed_window(warmup, seconds);
  uint64_t published = 0, echoed = 0;
  for (size_t i = 0; i < chat_publishers; i++) {
    published += chats[i].published;
    echoed += chats[i].echoed;
  }
  printf("{\"messages\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"msgs_per_s\":%.1f,"
         "\"mb_per_s\":%.3f,\"connections\":%zu,\"publishers\":%zu,\"published\":%llu,"
         "\"echoed\":%llu,\"errors\":%llu,\"unexpected_closes\":%llu,\"unexpected_messages\":%llu,"
         "\"size_mismatches\":%llu,\"topics\":%zu}\n",
         (unsigned long long)messages_received, (unsigned long long)bytes_received, elapsed,
         messages_received / elapsed, bytes_received / elapsed / 1e6, count, chat_publishers,
         (unsigned long long)published, (unsigned long long)echoed, (unsigned long long)errors,
         (unsigned long long)unexpected_closes, (unsigned long long)chat_unexpected,
         (unsigned long long)size_mismatches, chat_topics ? chat_topics : 1);
  fflush(stdout);
  return errors == 0 && size_mismatches == 0 && unexpected_closes == 0 && chat_unexpected == 0
             ? 0
             : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) usage();
  if (strcmp(argv[1], "echo") == 0) return echo_main(argc, argv);
  if (strcmp(argv[1], "handshake") == 0) return handshake_main(argc, argv);
  if (strcmp(argv[1], "handshake-abrupt") == 0) {
    abrupt_close = 1;
    return handshake_main(argc, argv);
  }
  if (strcmp(argv[1], "idle") == 0) return idle_main(argc, argv);
  if (strcmp(argv[1], "deflate-echo") == 0) return deflate_echo_main(argc, argv);
  if (strcmp(argv[1], "deflate-idle") == 0) return deflate_idle_main(argc, argv);
  if (strcmp(argv[1], "idle-reset") == 0) {
    abrupt_close = 1;
    return idle_main(argc, argv);
  }
  if (strcmp(argv[1], "fanout") == 0) return fanout_main(argc, argv);
  if (strcmp(argv[1], "deflate-fanout") == 0) return deflate_fanout_main(argc, argv);
  if (strcmp(argv[1], "chat-cluster") == 0) return chat_main(argc, argv);
  usage();
  return 2;
}
