import type { Technician } from '../../domain/dispatch';

/** Where technicians come from (file roster today; an HR/CRM system later). */
export interface TechnicianDirectory {
  /** Every technician, active or not; dispatch filters. */
  list(): Promise<Technician[]>;
  /** null when no technician has this id. */
  get(id: string): Promise<Technician | null>;
}
