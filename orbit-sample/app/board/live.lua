-- board.live: what the two LAppS services of the live view (live/live and live/live_poller)
-- and the browser (static/board.js) agree on.

return {
  -- the bcast channel the poller sends card events to, and the connections of /live listen on
  CHANNEL = 4200,
  -- the LAppS channel id (cid) the browser sees those events on
  CID = 7,
  -- how often the poller looks for new events, in microseconds
  POLL_US = 250000,
}
