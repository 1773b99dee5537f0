/*
 * The task page's two reads, started as soon as the page arrives: a plain script with nothing to
 * import, so it runs while the console's own scripts are still loading (they are ready some
 * 400 ms later on a quiet machine, and the reads took about 300 ms after that). The router's guard
 * takes these answers (handedOver in web/src/early-reads.ts) instead of asking again; one nobody takes
 * (another screen, a stale or missing session) is simply never used. The paths are the ones
 * taskReads in web/src/early-reads.ts gives (test/console/early-reads.test.ts holds them equal).
 */
(function () {
  try {
    var m = /^#\/tasks\/([^/?#]+)/.exec(location.hash);
    var s = JSON.parse(sessionStorage.getItem('suiji.session') || 'null');
    if (!m || !s || !s.token) return;
    var id = encodeURIComponent(decodeURIComponent(m[1]));
    var reads = {};
    ['/tasks/' + id + '/summary', '/tasks/' + id + '/targets?limit=1000'].forEach(function (path) {
      var r = fetch(path, { headers: { authorization: 'Bearer ' + s.token } });
      r.catch(function () {}); // the screen sees a failure when it takes the answer
      reads[path] = r;
    });
    window.__suijiEarlyReads = { at: Date.now(), reads: reads };
  } catch (e) {
    // the screen reads as usual
  }
})();
