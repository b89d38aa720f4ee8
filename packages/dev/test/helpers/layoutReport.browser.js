// Evaluated in the dashboard page by dashboard.browser.test.ts (page.evaluate): every grid and row
// of cards on the page, reporting rows that leave a slot empty (a row of cards that does not reach
// both edges of its container), grid columns no card covers, and anything wider than its box.
(() => {
  const rowsOf = (container) => {
    const rows = new Map();
    for (const child of container.children) {
      const box = child.getBoundingClientRect();
      const top = Math.round(box.top);
      rows.set(top, [...(rows.get(top) ?? []), box]);
    }
    return [...rows.values()];
  };
  const gaps = [];
  for (const container of document.querySelectorAll('main.grid, .action-grid')) {
    const style = getComputedStyle(container);
    const inner = container.getBoundingClientRect();
    const right = inner.right - Number.parseFloat(style.paddingRight);
    const left = inner.left + Number.parseFloat(style.paddingLeft);
    for (const row of rowsOf(container)) {
      const reach = Math.max(...row.map((b) => b.right));
      const start = Math.min(...row.map((b) => b.left));
      if (right - reach > 2 || start - left > 2)
        gaps.push(`${container.className}: a row spans ${start}..${reach} of ${left}..${right}`);
    }
    if (style.display === 'grid') {
      let x = left;
      for (const width of style.gridTemplateColumns.split(' ').map(Number.parseFloat)) {
        const covered = [...container.children].some((c) => {
          const b = c.getBoundingClientRect();
          return b.left < x + width - 1 && b.right > x + 1;
        });
        if (!covered) gaps.push(`${container.className}: no card in the column at ${x}px`);
        x += width + Number.parseFloat(style.columnGap);
      }
    }
  }
  const overflowing = [...document.querySelectorAll('.card, td')]
    .filter((node) => node.scrollWidth > node.clientWidth + 1)
    .map((node) => `${node.tagName}.${node.className}`);
  const root = document.documentElement;
  return { gaps, overflowing, pageOverflow: root.scrollWidth - root.clientWidth };
})();
