// board.js: the live view. Connects to the board's LAppS service at <prefix>/live, subscribes to
// card events, and updates the page when anyone creates, completes or deletes a card - no reload.
//
// The server sends each event as a LAppS notification on channel CID (see board/live.lua):
//   { kind: "created" | "updated" | "deleted", id, title, author, file?, done }
// and { kind: "subscribed" } once, in answer to the subscription: from then on the page is live.
// Card titles and names are user text: they only ever reach the page through textContent and
// attributes set one by one, never through innerHTML.

import { LAppSClient } from "./lapps.js";

const CID = 7;                       // board/live.lua: CID
const prefix = document.body.dataset.prefix || "";
const statusEl = document.getElementById("live-status");

function setStatus(live) {
  if (!statusEl) return;
  statusEl.textContent = live ? "live" : "offline";
  statusEl.className = live ? "live" : "offline";
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

// The same markup as views/card_item.html.
function cardItem(event) {
  const li = el("li", "card fresh");
  li.classList.toggle("done", !!event.done);
  li.dataset.id = String(event.id);
  const title = el("a", "card-title", event.title);
  title.href = `${prefix}/cards/${event.id}`;
  li.append(title, " ", el("span", "card-author", event.author));
  if (event.file) {
    const file = el("a", "card-file", event.file);
    file.href = `${prefix}/cards/${event.id}/file`;
    li.append(" ", file);
  }
  return li;
}

function apply(event) {
  const id = Number(event.id);
  if (!Number.isSafeInteger(id) || id < 1) return;
  event.id = id;

  // the board
  const list = document.getElementById("cards");
  if (list) {
    const existing = list.querySelector(`li.card[data-id="${id}"]`);
    if (event.kind === "created" && !existing) {
      list.prepend(cardItem(event));
    } else if (event.kind === "deleted" && existing) {
      existing.remove();
    } else if (event.kind === "updated" && existing) {
      existing.classList.toggle("done", !!event.done);
    }
    const empty = document.getElementById("no-cards");
    if (empty) empty.hidden = list.querySelector("li.card") !== null;
  }

  // a card's own page
  const page = document.querySelector(`.card-page[data-id="${id}"]`);
  if (page) {
    if (event.kind === "deleted") {
      const notice = document.getElementById("card-deleted");
      if (notice) notice.hidden = false;
      page.querySelectorAll("form").forEach(form => { form.hidden = true; });
    } else if (event.kind === "updated") {
      page.classList.toggle("done", !!event.done);
    }
  }
}

// Connects, and connects again with a growing delay (1 s, 2 s, 4 s ... at most 30 s) whenever
// the connection fails or ends: the server may restart, or a proxy may drop idle connections.
let delay = 1000;

async function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  try {
    const client = await LAppSClient.connect(`${scheme}//${location.host}${prefix}/live`);
    client.on(CID, message => {
      for (const event of message) {
        if (event.kind === "subscribed") {
          setStatus(true);
          delay = 1000;
        } else {
          apply(event);
        }
      }
    });
    client.notify("subscribe", CID);
    await client.closed;
  } catch (e) {
    // could not connect: try again below
  }
  setStatus(false);
  setTimeout(connect, delay);
  delay = Math.min(delay * 2, 30000);
}

setStatus(false);
connect();
