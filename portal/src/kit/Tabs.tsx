// Tabs with arrow keys (react-aria-components): Left/Right move between tabs, Home/End to the ends.
//   <Tabs label="Task Builder sections" selected={tab} onSelect={setTab}
//     tabs={[{ id: "GENERAL", title: "GENERAL", panel: <General/> }, { id: "OPTIONAL", title: <>OPTIONAL (!)</>, panel: ... }]} />
// Only the selected panel is rendered: keep form state in the screen, not in the panels.
import type { ReactNode } from "react";
import { Tab, TabList, TabPanel, Tabs as AriaTabs } from "react-aria-components";

export interface TabSpec<K extends string> {
  id: K;
  title: ReactNode;
  panel: ReactNode;
}

export function Tabs<K extends string>(p: { label: string; selected: K; onSelect: (id: K) => void; tabs: Array<TabSpec<K>> }) {
  return (
    <AriaTabs selectedKey={p.selected} onSelectionChange={(k) => p.onSelect(String(k) as K)} className="tabs-root">
      <TabList aria-label={p.label} className="tabs">
        {p.tabs.map((t) => (
          <Tab key={t.id} id={t.id} className={({ isSelected }) => `tab${isSelected ? " active" : ""}`}>
            {t.title}
          </Tab>
        ))}
      </TabList>
      {p.tabs.map((t) => (
        <TabPanel key={t.id} id={t.id} className="tab-panel">
          {t.panel}
        </TabPanel>
      ))}
    </AriaTabs>
  );
}
