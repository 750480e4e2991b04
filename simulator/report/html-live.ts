/**
 * The live dashboard's part of the report page: the server's `report` events replace the sections
 * (rendered by the same functions as the final report) and redraw the plots; the device table asks
 * the server for the devices matching the search, and the selected device's frame log. Values from
 * the run are set as text (textContent), never as markup.
 */
export const LIVE_SCRIPT = String.raw`
(function () {
  const $ = (id) => document.getElementById(id);
  let updates = 0, selected = null, query = '', typing;
  const row = (x) => {
    const tr = document.createElement('tr');
    tr.dataset.device = x.id;
    for (const v of [x.id, x.fleet, x.joined ? 'yes' : 'no', x.uplinks, x.downlinks, x.violations,
      x.lastRssi === null ? '' : x.lastRssi + ' dBm', x.lastSnr === null ? '' : x.lastSnr + ' dB']) {
      const td = document.createElement('td');
      td.textContent = String(v);
      tr.appendChild(td);
    }
    if (x.id === selected) tr.className = 'selected';
    tr.addEventListener('click', () => { selected = x.id; devices(); log(); });
    return tr;
  };
  async function devices() {
    const res = await fetch('api/devices?limit=50&q=' + encodeURIComponent(query));
    if (!res.ok) return;
    const d = await res.json();
    $('device-table').tBodies[0].replaceChildren(...d.devices.map(row));
    $('device-count').textContent = d.matched + ' of ' + d.total + ' devices' +
      (d.matched > d.devices.length ? ' (the first ' + d.devices.length + ' shown)' : '');
    $('devices').dataset.rows = String(d.devices.length);
  }
  async function log() {
    if (selected === null) return;
    const res = await fetch('api/devices/' + encodeURIComponent(selected) + '/log');
    if (!res.ok) return;
    const d = await res.json();
    $('device-log-title').textContent = selected + ': its latest frames and events (' + d.lines.length + ')';
    $('device-log').textContent = d.lines.join('\n');
    $('device-log').dataset.device = selected;
    $('device-log').dataset.lines = String(d.lines.length);
  }
  $('device-search').addEventListener('input', (e) => {
    query = e.target.value;
    clearTimeout(typing);
    typing = setTimeout(devices, 150);
  });
  const events = new EventSource('events');
  events.addEventListener('report', (m) => {
    const d = JSON.parse(m.data);
    for (const [id, html] of Object.entries(d.sections)) {
      const el = $('s-' + id);
      if (el) el.innerHTML = html;
    }
    $('s-header').dataset.verdict = d.verdict;
    document.title = d.title;
    window.lorafleetPlots.draw(d.plots);
    document.body.dataset.updates = String(++updates);
    devices();
    log();
  });
  events.addEventListener('end', () => {
    events.close();
    document.body.dataset.finished = 'true';
  });
  devices();
})();
`;
