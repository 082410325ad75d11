/**
 * The page's own script (plain ES2017, inlined): draws each chart from its JSON option with
 * ECharts, resizes them with the window, sorts a table by the clicked column, and marks the body
 * `data-charts-drawn` once every chart has rendered (the browser test waits for it).
 */
export const CLIENT_SCRIPT = `
(function () {
  var options = JSON.parse(document.getElementById('chart-options').textContent);
  var nodes = document.querySelectorAll('[data-chart]');
  var charts = [];
  var pending = nodes.length;
  function drawn() {
    pending -= 1;
    if (pending === 0) document.body.setAttribute('data-charts-drawn', String(charts.length));
  }
  if (pending === 0) document.body.setAttribute('data-charts-drawn', '0');
  nodes.forEach(function (node) {
    var chart = echarts.init(node, null, { renderer: 'canvas' });
    charts.push(chart);
    chart.on('finished', function once() { chart.off('finished', once); drawn(); });
    chart.setOption(options[node.getAttribute('data-chart')]);
  });
  window.addEventListener('resize', function () { charts.forEach(function (c) { c.resize(); }); });

  document.querySelectorAll('table.sortable th').forEach(function (th) {
    th.addEventListener('click', function () {
      var table = th.closest('table');
      var column = Array.prototype.indexOf.call(th.parentNode.children, th);
      var ascending = th.getAttribute('aria-sort') !== 'ascending';
      table.querySelectorAll('th').forEach(function (other) { other.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute('data-value');
        var y = b.cells[column].getAttribute('data-value');
        var nx = x === '' ? NaN : Number(x);
        var ny = y === '' ? NaN : Number(y);
        var order = !isNaN(nx) && !isNaN(ny) ? nx - ny : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
})();
`;
