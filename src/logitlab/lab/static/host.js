// Where the Lab runs (issue 17): the root its elements are looked up in, and the transport
// that carries commands to a LabSession and frames back.
//
// This is the served page's host: the document, and a WebSocket to the Lab server. The
// Jupyter widget's bundle (logitlab/widget/bundle.py) puts its own module in the place of
// this one: the widget's shadow root, and a socket-like object over the widget's comm.
// Every other module looks page elements up through `host.root`, never through `document`.

import { Connection, savedState } from "./connection.js";
import { parseState } from "./state.js";

export const host = {
  /** The root the page's elements are found in (`getElementById`, `querySelector`). */
  root: document,
  /** True on the served page: the address bar, links and the browser's storage hold the state. */
  served: true,
  /** The state to start from: the link's, else the last one this browser saved, else null. */
  initialState: () => parseState(location.hash) ?? savedState(),
  /** The connection to the session: `options` are Connection's callbacks. */
  connect: (options) =>
    new Connection({
      url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
      ...options,
    }),
  /** Where the benchmark and the browser tests read what the last paint showed. */
  expose: (perf) => {
    window.logitlabPerf = perf;
  },
  /** False once the page is gone (a widget view removed): the paint loop stops. */
  running: () => true,
};
