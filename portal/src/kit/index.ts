// The portal's kit: import screens' building blocks from here.
//   import { Table, Confirm, Tabs, CopyButton, DetailsPanel, NotAllowed, FormStatus, useApi, useApiMutation } from "../kit";
// Form fields (TextField, SelectField, Check, Field) stay in ../ui; errors in words in ../errors.
export { Table, type Column, type TableProps } from "./Table";
export { Confirm, type ConfirmProps } from "./Confirm";
export { Tabs, type TabSpec } from "./Tabs";
export { CopyButton } from "./CopyButton";
export { copyText, type CopyWay } from "./copy";
export { DetailsPanel } from "./DetailsPanel";
export { NotAllowed } from "./NotAllowed";
export { FormStatus } from "./FormStatus";
export { useApi, useApiLoad, useApiMutation, queryClient, type Loaded } from "./query";
export { useGo, link, type Go } from "./nav";
