import type { ServiceRequestInput } from '../../src/domain/types';

/** A realistic intake: gas water heater that cuts out, Xuhui district, Shanghai. */
export function requestInput(over: Partial<ServiceRequestInput> = {}): ServiceRequestInput {
  return {
    type: 'repair',
    urgency: 'normal',
    channel: 'hotline',
    customer: { name: '陈静', phone: '+8613812345678', address: '上海市徐汇区漕溪北路 88 号 1201 室', language: 'zh' },
    product: { model: 'JSQ25-13A', purchaseDate: '2024-03-18', category: 'gas_water_heater' },
    problem: {
      description: '热水器点火后约十分钟自动熄火，显示 E1',
      occursWhen: '每次洗澡开热水十分钟左右',
      symptoms: '熄火前有咔哒声，无燃气味',
    },
    location: { lat: 31.1935, lng: 121.4375 },
    ...over,
  };
}
